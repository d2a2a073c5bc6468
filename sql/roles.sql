-- roles.sql: the database roles of Recourse and what they own, run by a
-- superuser in the service's database before the migrations; idempotent,
-- so src/tools/migrate.sh applies it on every run where it has a superuser.
--
--   recourse_owner   owns the schema, every table and every function; the
--                    migrations and recourse-admin (an operator's tool)
--                    log in as it.  Not a superuser: it cannot turn off
--                    replication-role triggers or run programs.
--   recourse_public  the public side's login: owns nothing, may only
--                    EXECUTE the intake, tracking and housekeeping
--                    functions that sql/grants.sql lists.
--   recourse_review  the back office's login: the same, for its functions.
--
-- Neither runtime role is a member of any role, so neither can SET ROLE
-- recourse_owner.  A cluster from before the roles existed (its
-- superuser 'recourse' created and owned everything) is brought into this
-- shape here: whatever in the schema is not the owner's becomes the
-- owner's.

DO $$
DECLARE
	r	text;
	m	record;
BEGIN
	FOREACH r IN ARRAY ARRAY['recourse_owner', 'recourse_public',
	    'recourse_review'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I', r);
		END IF;
		EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB '
		    'NOCREATEROLE NOREPLICATION NOBYPASSRLS', r);
	END LOOP;
	FOR m IN SELECT g.rolname AS grp, u.rolname AS member
	    FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid
	    JOIN pg_roles u ON u.oid = a.member
	    WHERE u.rolname IN ('recourse_public', 'recourse_review') LOOP
		EXECUTE format('REVOKE %I FROM %I', m.grp, m.member);
	END LOOP;

	EXECUTE format('ALTER DATABASE %I OWNER TO recourse_owner',
	    current_database());
	-- No temporary tables and no connections but the service's own.
	EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC',
	    current_database());
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO recourse_public, '
	    'recourse_review', current_database());
END $$;

ALTER SCHEMA public OWNER TO recourse_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO recourse_public, recourse_review;

-- Everything in the schema belongs to the owner.  A table's indexes,
-- triggers, row type and the sequences of its serial columns follow it.
DO $$
DECLARE
	o	record;
BEGIN
	FOR o IN SELECT CASE c.relkind WHEN 'v' THEN 'VIEW'
	        WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
	        ELSE 'TABLE' END AS kind, c.oid::regclass::text AS name
	    FROM pg_class c
	    WHERE c.relnamespace = 'public'::regnamespace
	      AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
	      AND c.relowner <> 'recourse_owner'::regrole
	      AND NOT EXISTS (SELECT 1 FROM pg_depend d
	        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
	          AND d.deptype IN ('a', 'i')
	          AND d.refclassid = 'pg_class'::regclass) LOOP
		EXECUTE format('ALTER %s %s OWNER TO recourse_owner', o.kind,
		    o.name);
	END LOOP;
	FOR o IN SELECT p.oid::regprocedure::text AS name FROM pg_proc p
	    WHERE p.pronamespace = 'public'::regnamespace
	      AND p.proowner <> 'recourse_owner'::regrole LOOP
		EXECUTE format('ALTER ROUTINE %s OWNER TO recourse_owner',
		    o.name);
	END LOOP;
	FOR o IN SELECT t.oid::regtype::text AS name FROM pg_type t
	    WHERE t.typnamespace = 'public'::regnamespace
	      AND t.typowner <> 'recourse_owner'::regrole
	      AND t.typelem = 0 AND t.typrelid = 0 LOOP
		EXECUTE format('ALTER TYPE %s OWNER TO recourse_owner', o.name);
	END LOOP;
END $$;
