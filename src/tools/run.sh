#!/bin/sh
# The body of 'make run': a private PostgreSQL cluster under var/, keys,
# migrations, then Kore in the foreground; Ctrl-C stops both.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
port=${PORT:-8080}
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
sh src/tools/migrate.sh "$var/pg" recourse
./build/recourse-keygen "$var/keys"

sed -e "s|^\(\tbind\t*\)127.0.0.1 8080|\1127.0.0.1 $port|" \
    conf/recourse.conf >"$var/recourse.conf"

RECOURSE_DB="host=$var/pg user=recourse dbname=recourse gssencmode=disable connect_timeout=2 options='-c statement_timeout=5000'"
RECOURSE_KEYS="$var/keys"
export RECOURSE_DB RECOURSE_KEYS

echo "Recourse: http://127.0.0.1:$port/  (Ctrl-C stops it)"
# Not exec: the trap must stop PostgreSQL when Kore ends.
stdbuf -oL kore -f -n -r -c "$var/recourse.conf" &
kpid=$!
trap 'kill $kpid 2>/dev/null; wait $kpid 2>/dev/null; sh src/tools/pgcluster.sh stop "$var/pg"' INT TERM
wait $kpid || true
