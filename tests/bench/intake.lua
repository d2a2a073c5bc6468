-- wrk script for tests/bench/run.sh: POSTs valid JSON complaints, each with a unique Idempotency-Key, and reports 201 counts, sizes and latency percentiles.
--   wrk -t2 -c64 -d20s --latency -s tests/bench/intake.lua URL -- RUNLABEL

local categories = {
	"privacy.consent", "privacy.notice", "security.breach",
	"bias.targeting", "bias.pricing", "manipulation.pressure",
	"vulnerability.exploitation", "transparency.ai_undisclosed",
	"transparency.explanation", "optout.not_honoured", "other",
}
local channels = {
	"email", "sms", "social_ad", "search_ad", "website", "in_app",
	"chatbot", "phone", "postal", "other",
}
local brands = {
	"Nordlicht Kredit", "Café Lumière", "Acme Loans", "Zöe & Co",
	"Smart Shop 24",
}
local names = {
	"Ana Müller", "José Álvarez", "Chloë Brontë", "Łukasz Wąsik",
	"Sam Taylor", "Ingrid Sørensen",
}

-- Sentences of 60 to 160 characters, some with non-ASCII text.
local sentences = {
	"I kept seeing adverts for payday loans right after I searched for help with my debts. ",
	"The app showed me a countdown saying the offer ends in 10 minutes, but it restarted every time I opened it. ",
	"Nobody told me that my location history would be used to choose which offers I see. ",
	"Die Werbung erschien direkt nach meinem Arztbesuch – das kann kein Zufall sein. ",
	"My sister paid 12,99 € for the same subscription that I was offered at 19,99 €. ",
	"The chatbot never said it was an AI; it pretended to be “Emma from customer care”. ",
	"I unsubscribed three times and still receive two or three messages every day. ",
	"Le message disait « dernière chance » alors que la promotion dure depuis des mois. ",
	"After my son's birthday the feed filled with betting adverts, although he is only fifteen. ",
	"The opt-out link leads to a page that asks me to log in to an account I never created. ",
	"I asked why I was targeted and the answer was a generic page about “relevant experiences”. ",
	"Mi madre recibió llamadas insistentes ofreciéndole un préstamo que no había pedido. ",
	"Η διαφήμιση εμφανίστηκε αμέσως μετά από μια ιδιωτική συζήτηση στο τηλέφωνο. ",
	"It felt like the prices went up each time I came back to the website from the same laptop. ",
	"I never gave consent to share my health questionnaire with advertising partners. ",
}

-- Characters in a UTF-8 string (bytes that do not continue a sequence).
local function chars(s)
	local _, cont = s:gsub("[\128-\191]", "")
	return #s - cont
end

local function jstr(s)
	return '"' .. s:gsub('[\\"]', "\\%0") .. '"'
end

local pool = {}
local POOL = 200
local label, counter = "run", 0
-- Globals, not locals: setup() sets tid and done() reads the rest per thread.
tid = 0
n201, nbad, firstbad = 0, 0, nil
dmin, dmax, dsum, cmin, cmax = 1e9, 0, 0, 1e9, 0
bmin, bmax, bsum = 1e9, 0, 0
ncontact, csum = 0, 0

local function description()
	local target = math.random(400, 640)
	local t = {}
	local n = 0
	while n < target do
		local s = sentences[math.random(#sentences)]
		t[#t + 1] = s
		n = n + chars(s)
	end
	return table.concat(t)
end

local function complaint()
	local d = description()
	local f = {
		'"category":' .. jstr(categories[math.random(#categories)]),
		'"channel":' .. jstr(channels[math.random(#channels)]),
		'"description":' .. jstr(d),
		'"vulnerable":' .. tostring(math.random(10) == 1),
		'"consent_publish":' .. tostring(math.random(2) == 1),
		'"consent_demographics":' .. tostring(math.random(2) == 1),
	}
	if math.random(10) <= 8 then
		local day = os.time() - math.random(0, 365) * 86400
		f[#f + 1] = '"occurred_on":' .. jstr(os.date("!%Y-%m-%d", day))
	end
	if math.random(10) <= 5 then
		f[#f + 1] = '"brand":' .. jstr(brands[math.random(#brands)])
	end
	local contact = math.random(10) <= 3
	f[#f + 1] = '"consent_contact":' .. tostring(contact)
	if contact then
		local name = names[math.random(#names)]
		local email = string.format("person%d@example.org",
		    math.random(1, 99999))
		f[#f + 1] = '"contact_name":' .. jstr(name)
		f[#f + 1] = '"contact_email":' .. jstr(email)
		-- The server seals {"name":"...","email":"..."} (22 bytes of frame).
		ncontact = ncontact + 1
		csum = csum + 22 + #name + #email
	end
	local c = chars(d)
	dmin, dmax, dsum = math.min(dmin, #d), math.max(dmax, #d), dsum + #d
	cmin, cmax = math.min(cmin, c), math.max(cmax, c)
	local body = "{" .. table.concat(f, ",") .. "}"
	bmin, bmax, bsum = math.min(bmin, #body), math.max(bmax, #body),
	    bsum + #body
	return body
end

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	label = args[1] or "run"
	math.randomseed(os.time() * 1000 + tid * 7919 + os.clock() * 1e6)
	for i = 1, POOL do
		pool[i] = complaint()
	end
end

function request()
	counter = counter + 1
	local key = string.format("%s-%d-%d-%08x", label, tid, counter,
	    math.random(0, 0x7fffffff))
	return wrk.format("POST", "/api/v1/complaints", {
		["Content-Type"] = "application/json",
		["Idempotency-Key"] = key,
	}, pool[math.random(POOL)])
end

function response(status, headers, body)
	if status == 201 then
		n201 = n201 + 1
	else
		nbad = nbad + 1
		if firstbad == nil then
			firstbad = status .. " " .. (body or ""):sub(1, 300)
		end
	end
end

function done(summary, latency, requests)
	local ok, bad, first = 0, 0, nil
	local t = { dmin = 1e9, dmax = 0, dsum = 0, cmin = 1e9, cmax = 0,
	    bmin = 1e9, bmax = 0, bsum = 0, ncontact = 0, csum = 0 }
	for _, th in ipairs(threads) do
		ok = ok + th:get("n201")
		bad = bad + th:get("nbad")
		first = first or th:get("firstbad")
		t.dmin = math.min(t.dmin, th:get("dmin"))
		t.dmax = math.max(t.dmax, th:get("dmax"))
		t.dsum = t.dsum + th:get("dsum")
		t.cmin = math.min(t.cmin, th:get("cmin"))
		t.cmax = math.max(t.cmax, th:get("cmax"))
		t.bmin = math.min(t.bmin, th:get("bmin"))
		t.bmax = math.max(t.bmax, th:get("bmax"))
		t.bsum = t.bsum + th:get("bsum")
		t.ncontact = t.ncontact + th:get("ncontact")
		t.csum = t.csum + th:get("csum")
	end
	local n = POOL * #threads
	local e = summary.errors
	local secs = summary.duration / 1e6
	-- One machine-readable line for run.sh; latencies in milliseconds.
	io.write(string.format("BENCH_HTTP requests=%d seconds=%.3f rps=%.1f" ..
	    " p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f" ..
	    " n201=%d non201=%d err_connect=%d err_read=%d err_write=%d" ..
	    " err_timeout=%d desc_chars_min=%d desc_chars_max=%d" ..
	    " desc_bytes_min=%d desc_bytes_max=%d desc_bytes_mean=%.0f" ..
	    " body_bytes_min=%d body_bytes_max=%d body_bytes_mean=%.0f" ..
	    " contact_share=%.2f contact_json_mean=%.0f\n",
	    summary.requests, secs, summary.requests / secs,
	    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
	    latency:percentile(99) / 1000, latency.max / 1000,
	    latency.mean / 1000, ok, bad, e.connect, e.read, e.write,
	    e.timeout, t.cmin, t.cmax, t.dmin, t.dmax, t.dsum / n, t.bmin,
	    t.bmax, t.bsum / n, t.ncontact / n,
	    t.ncontact > 0 and t.csum / t.ncontact or 0))
	if first ~= nil then
		io.write("BENCH_HTTP first non-201: " .. first:gsub("\n", " ") ..
		    "\n")
	end
end
