#!/bin/sh
# Applies the numbered migrations in sql/ that the database has not recorded
# yet, in order, each in one transaction together with its record, as the
# owner role; then sql/grants.sql, the runtime roles' rights.
#   migrate.sh HOST DBNAME [SUPERUSER]
# With SUPERUSER (a private cluster: make run, the tests), the database and
# its roles are first created or brought up to date with sql/roles.sql.  In
# production an operator runs that once (README) and migrate.sh without it;
# libpq's usual PGPASSWORD or ~/.pgpass give recourse_owner's password.
set -eu

host=$1
db=$2
super=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
opts="-X -q -v ON_ERROR_STOP=1 -h $host"
psql="psql $opts -U recourse_owner"

if [ -n "$super" ]; then
	if ! psql $opts -U "$super" -d postgres -tAc \
	    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
		psql $opts -U "$super" -d postgres -c "CREATE DATABASE \"$db\""
	fi
	psql $opts -U "$super" -d "$db" -1 -f "$top/sql/roles.sql"
fi

$psql -d "$db" -c "CREATE TABLE IF NOT EXISTS schema_migrations (
	version text PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now())" 2>/dev/null

for f in "$top"/sql/[0-9][0-9][0-9][0-9]-*.sql; do
	v=$(basename "$f" .sql)
	if [ -n "$($psql -d "$db" -tAc "SELECT 1 FROM schema_migrations WHERE version = '$v'")" ]; then
		continue
	fi
	echo "migrating: $v"
	$psql -d "$db" -1 -f "$f" \
	    -c "INSERT INTO schema_migrations (version) VALUES ('$v')"
done
$psql -d "$db" -1 -f "$top/sql/grants.sql"
