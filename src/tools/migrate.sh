#!/bin/sh
# Applies the numbered migrations in sql/ that the database has not recorded
# yet, in order, each in one transaction together with its record.
#   migrate.sh SOCKETDIR DBNAME
set -eu

host=$1
db=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
psql="psql -X -q -v ON_ERROR_STOP=1 -h $host -U recourse"

if ! $psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" |
    grep -q 1; then
	$psql -d postgres -c "CREATE DATABASE \"$db\""
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
