#!/bin/sh
# The body of 'make admin': creates a staff account in the cluster that
# 'make run' keeps under var/ and prints its one-time set-up link.
#   admin.sh LOGIN "Display Name" [ROLES]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
login=${1:-}
name=${2:-}
roles=${3:-}
if [ -z "$login" ] || [ -z "$name" ]; then
	echo "usage: make admin LOGIN=name NAME=\"Full Name\" [ROLES=admin,supervisor]" >&2
	exit 2
fi
if [ ! -S "$top/var/pg/.s.PGSQL.5432" ]; then
	echo "admin: the database is not running; start it with 'make run'" >&2
	exit 1
fi
# recourse-admin is an operator's tool: it logs in as the owner role.
RECOURSE_DB="host=$top/var/pg user=recourse_owner dbname=recourse gssencmode=disable connect_timeout=2"
export RECOURSE_DB
exec "$top/build/recourse-admin" create-user "$login" --name "$name" \
    --roles "${roles:-admin,supervisor}" \
    --base-url "http://127.0.0.1:${REVIEW_PORT:-8081}"
