#!/bin/sh
# Manages a private PostgreSQL cluster in a folder, owned by the unprivileged
# 'postgres' user (initdb refuses root), with its socket in the same folder.
#   pgcluster.sh init|start|stop|status|superuser DIR
# 'superuser' prints the cluster's superuser: 'postgres', or 'recourse' for
# a cluster made before the service had roles of its own (sql/roles.sql).
set -eu

cmd=$1
dir=$2
bin=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
init)
	if [ -f "$dir/data/PG_VERSION" ]; then
		exit 0
	fi
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
	chmod 700 "$dir"
	# The superuser is for the operator and migrations' set-up only; the
	# service logs in as the roles sql/roles.sql creates.
	as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
	    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; exit 1; }
	echo postgres >"$dir/superuser"
	# Durable by default: fsync and synchronous_commit stay on.
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 100
shared_buffers = 256MB
log_min_messages = warning
log_line_prefix = '%m [%p] '
logging_collector = off
CONF
	;;
start)
	if as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		exit 0
	fi
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
	    start >/dev/null
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ||
		    true
	fi
	;;
status)
	as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
	;;
superuser)
	cat "$dir/superuser" 2>/dev/null || echo recourse
	;;
*)
	echo "usage: pgcluster.sh init|start|stop|status|superuser DIR" >&2
	exit 2
	;;
esac
