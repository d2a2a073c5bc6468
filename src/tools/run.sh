#!/bin/sh
# The body of 'make run': a private PostgreSQL cluster under var/, keys,
# migrations, then the public side and the back office (two Kore
# instances) in the foreground; Ctrl-C stops everything.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
port=${PORT:-8080}
review_port=${REVIEW_PORT:-8081}
var="$top/var"
mkdir -p "$var"

# The cluster runs as 'postgres', which must be able to reach var/.
if ! runuser -u postgres -- test -x "$var" 2>/dev/null; then
	echo "run: user postgres cannot reach $var; move the checkout to a" \
	    "folder every user can traverse (e.g. /srv or /opt)" >&2
	exit 1
fi

sh src/tools/pgcluster.sh init "$var/pg"
sh src/tools/pgcluster.sh start "$var/pg"
trap 'sh src/tools/pgcluster.sh stop "$var/pg"' EXIT INT TERM
super=$(sh src/tools/pgcluster.sh superuser "$var/pg")
sh src/tools/migrate.sh "$var/pg" recourse "$super"
./build/recourse-keygen "$var/keys"

sed -e "s|^\(\tbind\t*\)127.0.0.1 8080|\1127.0.0.1 $port|" \
    conf/recourse.conf >"$var/recourse.conf"
sed -e "s|^\(\tbind\t*\)127.0.0.1 8081|\1127.0.0.1 $review_port|" \
    conf/review.conf >"$var/review.conf"

# Each instance logs in as its own role (sql/roles.sql, sql/grants.sql).
conninfo="host=$var/pg dbname=recourse gssencmode=disable connect_timeout=2 options='-c statement_timeout=5000'"
RECOURSE_KEYS="$var/keys"
# The back office's address, for the absolute links it gives out (set-up
# links); recorded so that 'make admin' prints links on the same one.
: "${RECOURSE_REVIEW_BASE_URL:=http://127.0.0.1:$review_port}"
printf '%s\n' "$RECOURSE_REVIEW_BASE_URL" >"$var/review-base-url"
# nginx on this machine, as in the README, passes X-Real-IP.
RECOURSE_TRUSTED_PROXIES=${RECOURSE_TRUSTED_PROXIES-127.0.0.1}
export RECOURSE_KEYS RECOURSE_REVIEW_BASE_URL RECOURSE_TRUSTED_PROXIES

admins=$(psql -X -tA -h "$var/pg" -U "$super" -d recourse -c \
    "SELECT count(*) FROM staff_accounts WHERE 'admin' = ANY (roles)")
echo "Recourse public side: http://127.0.0.1:$port/"
echo "Recourse back office: http://127.0.0.1:$review_port/review"
if [ "$admins" = 0 ]; then
	echo "No admin account yet. In another terminal, create the first one;"
	echo "it prints a one-time link to set the password and enrol an"
	echo "authenticator app (there is no default password):"
	echo "  make admin LOGIN=yourname NAME=\"Your Name\""
fi
echo "(Ctrl-C stops both and the database)"
# Not exec: the trap must stop PostgreSQL when Kore ends.
RECOURSE_DB="$conninfo user=recourse_public" \
    stdbuf -oL kore -f -n -r -c "$var/recourse.conf" &
kpid=$!
RECOURSE_DB="$conninfo user=recourse_review" RECOURSE_SURFACE=review \
    stdbuf -oL kore -f -n -r -c "$var/review.conf" &
rpid=$!
# The sender beside the back office (same role, same keys).  Without
# RECOURSE_SMTP_HOST it sends nothing: mail stays queued, on /admin/outbox.
RECOURSE_DB="$conninfo user=recourse_review" \
    RECOURSE_PUBLIC_BASE_URL="${RECOURSE_PUBLIC_BASE_URL:-http://127.0.0.1:$port/track}" \
    stdbuf -oL ./build/recourse-mailer &
mpid=$!
# The transparency reports' builder, also beside the back office: it signs
# with report.sec and never runs inside Kore.
RECOURSE_DB="$conninfo user=recourse_review" \
    stdbuf -oL ./build/recourse-reporter &
bpid=$!
trap 'kill $kpid $rpid $mpid $bpid 2>/dev/null; wait $kpid $rpid $mpid $bpid 2>/dev/null; sh src/tools/pgcluster.sh stop "$var/pg"' INT TERM
wait $kpid $rpid || true
