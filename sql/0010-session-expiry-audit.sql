-- Every session that ends by expiry is audited, whichever notices first:
-- the request that finds it stale (session_touch, 0002) or housekeeping.
-- Before, housekeeping deleted expired sessions silently, so whether an
-- expiry was recorded depended on a race with the next request.

CREATE OR REPLACE FUNCTION purge_staff_expired(OUT sessions integer,
    OUT throttles integer)
LANGUAGE plpgsql AS $$
DECLARE
	s	record;
BEGIN
	sessions := 0;
	FOR s IN DELETE FROM staff_sessions
	    WHERE last_seen_at < now() - interval '30 minutes'
	       OR created_at < now() - interval '12 hours'
	    RETURNING account_id
	LOOP
		PERFORM audit('staff:' || s.account_id, 'session.expired', '',
		    '{}');
		sessions := sessions + 1;
	END LOOP;
	DELETE FROM login_throttle WHERE hour_start < now() - interval '1 hour'
	    AND (blocked_until IS NULL OR blocked_until < now());
	GET DIAGNOSTICS throttles = ROW_COUNT;
END $$;
