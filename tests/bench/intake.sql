-- pgbench script for tests/bench/run.sh: the database work of one HTTP intake (the same intake_complaint call, parameters of the same sizes and mix), without Kore.
-- It passes no clocks (Kore's last parameter, sql/0016): these cases are left to the scheduler, as every case was before intake computed its own.
-- run.sh passes -D dmin=, dmax= (description bytes, as measured by intake.lua) and cbox= (contact box bytes).
\set cat random(1, 11)
\set ch random(1, 10)
\set occ random(1, 10)
\set days random(0, 365)
\set brand random(1, 10)
\set vuln random(1, 10)
\set contact random(1, 10)
\set pub random(1, 2)
\set demo random(1, 2)
\set dlen random(:dmin, :dmax)
SELECT outcome, reference, state, receipt_box FROM intake_complaint(
    decode(md5(random()::text) || md5(random()::text), 'hex'),
    decode(md5(random()::text) || md5(random()::text), 'hex'),
    substring(decode(repeat(md5(random()::text), 5), 'hex') FOR 69),
    (ARRAY['privacy.consent', 'privacy.notice', 'security.breach',
        'bias.targeting', 'bias.pricing', 'manipulation.pressure',
        'vulnerability.exploitation', 'transparency.ai_undisclosed',
        'transparency.explanation', 'optout.not_honoured', 'other'])[:cat::int],
    (ARRAY['email', 'sms', 'social_ad', 'search_ad', 'website', 'in_app',
        'chatbot', 'phone', 'postal', 'other'])[:ch::int],
    CASE WHEN :occ::int <= 8 THEN current_date - :days::int END,
    CASE WHEN :brand::int <= 5 THEN (ARRAY['Nordlicht Kredit',
        'Café Lumière', 'Acme Loans', 'Zöe & Co', 'Smart Shop 24'])[:brand::int] END,
    :vuln::int = 1,
    :contact::int <= 3,
    :pub::int = 1,
    :demo::int = 1,
    decode(md5(random()::text) || md5(random()::text), 'hex'),
    decode(md5(random()::text) || md5(random()::text), 'hex'),
    decode(md5(random()::text), 'hex'),
    decode(repeat(md5(random()::text), 5), 'hex'),
    substring(decode(repeat(md5(random()::text), 80), 'hex') FOR :dlen::int + 40),
    CASE WHEN :contact::int <= 3 THEN
        substring(decode(repeat(md5(random()::text), 10), 'hex') FOR :cbox::int) END);
