#!/bin/sh
# Installs the Debian packages (and, for the tests and the benchmark, npm
# packages) that a purpose needs and this machine lacks; silent when nothing
# is missing.
#   deps.sh runtime | test | bench
set -eu

runtime="kore libsodium-dev libssl-dev libpq-dev libjansson-dev libqrencode-dev
    postgresql postgresql-contrib make gcc"
# The SLA engine's time zones and iCalendar (libical3 comes with -dev).
runtime="$runtime libical-dev libical3"
# The mail sender's SMTP client.
runtime="$runtime libcurl4-openssl-dev"
# promtool checks /metrics; the mail tests' SMTP listener.
test="$runtime libcmocka-dev chromium nodejs npm curl prometheus python3-aiosmtpd"
# The mail tests' throwaway CA and certificate for the listener's STARTTLS.
test="$test openssl"
# A real LP solver plays the reader who solves for the report's hidden
# counts; OpenBSD's signify checks the report's signatures.
test="$test glpk-utils signify-openbsd"
bench="$runtime wrk nodejs npm curl iproute2"

case "${1:-runtime}" in
runtime) want=$runtime ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: deps.sh runtime|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	# Node.js may come from elsewhere than Debian; a working node is enough.
	case $p in
	nodejs|npm) command -v "$p" >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: run as root, or install:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The tests and the work-list benchmark (its staff log in through
# tests/lib, which parses pages with node-html-parser) need the npm packages.
if [ "${1:-}" = test ] || [ "${1:-}" = bench ]; then
	top=$(cd "$(dirname "$0")/../.." && pwd)
	# npm records what it installed in node_modules/.package-lock.json.
	stamp="$top/tests/node_modules/.package-lock.json"
	if [ ! -f "$stamp" ] || [ "$top/tests/package-lock.json" -nt "$stamp" ]
	then
		echo "installing npm packages for tests"
		(cd "$top/tests" && npm ci --no-audit --no-fund --loglevel=error)
		touch "$stamp"
	fi
fi
