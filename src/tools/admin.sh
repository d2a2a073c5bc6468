#!/bin/sh
# The body of 'make admin': creates a staff account in the cluster that
# 'make run' keeps under var/ and prints its one-time set-up link, on the
# back-office address that 'make run' recorded in var/review-base-url.
#   admin.sh LOGIN "Display Name" [ROLES]
# RECOURSE_VAR names another such folder (the tests use their own).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
var=${RECOURSE_VAR:-$top/var}
login=${1:-}
name=${2:-}
roles=${3:-}
if [ -z "$login" ] || [ -z "$name" ]; then
	echo "usage: make admin LOGIN=name NAME=\"Full Name\" [ROLES=admin,supervisor]" >&2
	exit 2
fi
if [ ! -S "$var/pg/.s.PGSQL.5432" ]; then
	echo "admin: the database is not running; start it with 'make run'" >&2
	exit 1
fi
# What the running back office uses; without a record (a cluster started
# by hand), the environment or the port make run would have chosen.
if [ -s "$var/review-base-url" ]; then
	base=$(cat "$var/review-base-url")
else
	base=${RECOURSE_REVIEW_BASE_URL:-http://127.0.0.1:${REVIEW_PORT:-8081}}
fi
# recourse-admin is an operator's tool: it logs in as the owner role.
RECOURSE_DB="host=$var/pg user=recourse_owner dbname=recourse gssencmode=disable connect_timeout=2"
export RECOURSE_DB
exec "$top/build/recourse-admin" create-user "$login" --name "$name" \
    --roles "${roles:-admin,supervisor}" --base-url "$base"
