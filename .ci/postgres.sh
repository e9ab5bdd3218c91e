#!/usr/bin/env bash
# A private PostgreSQL for the tests: a throwaway cluster in a temp dir,
# listening on a free loopback port only (and a socket in the temp dir, so
# that it never meets a system cluster's /var/run/postgresql), stopped and
# deleted on exit. The tests of db/postgres read its URL from
# GEOTIMELINE_TEST_POSTGRES and make a database of their own in it per test.
#
# Two ways to use it:
#   source .ci/postgres.sh        (.ci/run) starts the cluster, exports
#                                 GEOTIMELINE_TEST_POSTGRES and sets an EXIT
#                                 trap that stops it: the caller must not
#                                 set an EXIT trap of its own after this
#   bash .ci/postgres.sh CMD...   runs CMD with the cluster up and the
#                                 variable set, e.g.
#                                 bash .ci/postgres.sh go test ./db/postgres/...
#
# When no PostgreSQL is installed (no initdb on PATH nor under
# /usr/lib/postgresql/*/bin) it installs Debian's `postgresql`. initdb
# refuses to run as root, so as root the cluster belongs to the `postgres`
# user (Debian's package creates it) and its commands run through runuser.

pg_ci_bindir() {
	local d
	if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
		# Through a symlink (/usr/local/bin/initdb here) to the directory
		# that also holds createdb and postgres.
		dirname "$(readlink -f "$(command -v initdb)")"
		return 0
	fi
	# Debian keeps the server binaries off PATH; the newest version wins.
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# pg_ci_free_port prints a loopback TCP port nothing listens on. Another
# process may take it before the server does; pg_ci_start then fails
# loudly rather than testing against someone else's server.
pg_ci_free_port() {
	local port
	for port in $(shuf -i 20000-60000 -n 50); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "no free loopback port found" >&2
	return 1
}

pg_ci_start() {
	local bindir port as=()
	if ! bindir="$(pg_ci_bindir)"; then
		echo "apt-get install postgresql"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
		bindir="$(pg_ci_bindir)"
	fi
	PG_CI_DIR="$(mktemp -d -t geotimeline-pg.XXXXXX)"
	if [[ "$(id -u)" == 0 ]]; then
		chown postgres: "$PG_CI_DIR"
		as=(runuser -u postgres --)
	fi
	PG_CI_CTL=("${as[@]}" "$bindir/pg_ctl" -D "$PG_CI_DIR/data")
	port="$(pg_ci_free_port)"
	# trust on a loopback-only, throwaway cluster: nothing outside this
	# machine can reach it, and the tests need no password to manage.
	"${as[@]}" "$bindir/initdb" -D "$PG_CI_DIR/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$PG_CI_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_CI_DIR/initdb.log"; return 1; }
	# fsync off: a crash loses a test database, never anything kept.
	"${PG_CI_CTL[@]}" -w -l "$PG_CI_DIR/server.log" \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $PG_CI_DIR -c fsync=off -c max_connections=200" \
		start >/dev/null || { cat "$PG_CI_DIR/server.log"; return 1; }
	"${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres geotimeline_test
	export GEOTIMELINE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/geotimeline_test?sslmode=disable"
	echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') in $PG_CI_DIR"
	echo "GEOTIMELINE_TEST_POSTGRES=$GEOTIMELINE_TEST_POSTGRES"
}

pg_ci_stop() {
	if [[ -n "${PG_CI_DIR:-}" && -d "$PG_CI_DIR" ]]; then
		"${PG_CI_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
		rm -rf "$PG_CI_DIR"
	fi
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
	# The trap first: a start that fails half-way still stops the server.
	trap pg_ci_stop EXIT
	pg_ci_start
else
	set -euo pipefail
	if (($# == 0)); then
		echo "usage: bash .ci/postgres.sh COMMAND [ARG...]   (or: source .ci/postgres.sh)" >&2
		exit 2
	fi
	trap pg_ci_stop EXIT
	pg_ci_start
	"$@"
fi
