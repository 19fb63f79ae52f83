#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests.
#
#   .ci/pg.sh start DIR   init a cluster in DIR (if needed), start it on 127.0.0.1:<free port>,
#                         create database trendbot_test, print its URL (one line on stdout)
#   .ci/pg.sh stop DIR    stop the server of that DIR (pg_ctl stop -m fast); nothing else
#
# PG_SH_BIN=DIR/bin uses that build's binaries instead of the machine's (tests copy the pgserver
# wheel's PostgreSQL 16 with pgvector there: Debian's archive has no pgvector package).
#
# Logs go to DIR/initdb.log and DIR/postgres.log. As root, the cluster runs as the
# unprivileged user $PG_SH_USER (default: postgres) and DIR is chowned to it, so DIR's
# parent directories must be traversable by that user.
set -euo pipefail

PG_USER_NAME=trendbot
PG_DB_NAME=trendbot_test
RUN_AS=${PG_SH_USER:-postgres}

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bin() {
    # Sets PGBIN to a directory holding initdb and pg_ctl, or returns 1. $PG_SH_BIN, when set,
    # names it (another build, such as one with pgvector).
    if [[ -n ${PG_SH_BIN:-} ]]; then
        [[ -x $PG_SH_BIN/initdb && -x $PG_SH_BIN/pg_ctl ]] || die "no initdb/pg_ctl in $PG_SH_BIN"
        PGBIN=$PG_SH_BIN
        return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        # /usr/local/bin may hold only symlinks to initdb and pg_ctl: use their real directory,
        # which also has pg_isready, psql and createdb of the same version.
        PGBIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
        return 0
    fi
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
            PGBIN=$d
            return 0
        fi
    done
    return 1
}

install_pg() {
    local -a pre=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "PostgreSQL not found and not root (no sudo)"
        pre=(sudo)
    fi
    echo "pg.sh: installing Debian's postgresql package" >&2
    "${pre[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    "${pre[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

runuser_bin() {
    local r
    for r in "$(command -v runuser || true)" /usr/sbin/runuser /sbin/runuser; do
        [[ -n $r && -x $r ]] && { echo "$r"; return 0; }
    done
    die "running as root needs runuser (util-linux)"
}

# Run a command as the cluster owner: ourselves, or $RUN_AS when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        local r
        r=$(runuser_bin) || exit 1
        "$r" -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd_start() {
    local dir=$1
    find_bin || { install_pg; find_bin; } || die "initdb/pg_ctl not found"
    unset PGDATA PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGOPTIONS

    dir=$(realpath -m "$dir")
    [[ $dir != *[[:space:]]* ]] || die "DIR must not contain whitespace"
    local data=$dir/data sock=$dir/sock log=$dir/postgres.log
    # A unix socket path is limited to 107 bytes.
    (( ${#sock} + 20 < 107 )) || die "DIR path too long for a unix socket: $sock"
    mkdir -p "$sock"
    cd "$dir"   # the cluster owner may not be able to enter our working directory
    if [[ $(id -u) -eq 0 ]]; then
        id "$RUN_AS" >/dev/null 2>&1 || die "running as root needs user '$RUN_AS' (set PG_SH_USER)"
        chown -R "$RUN_AS" "$dir"
        as_owner test -w "$dir" \
            || die "$RUN_AS cannot write $dir (check its parent directories' permissions)"
    fi

    if as_owner "$PGBIN/pg_ctl" status -D "$data" >/dev/null 2>&1; then
        die "a server is already running in $data"
    fi
    if [[ ! -f $data/PG_VERSION ]]; then
        as_owner "$PGBIN/initdb" -D "$data" -U "$PG_USER_NAME" --auth=trust \
            -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
            || die "initdb failed, see $dir/initdb.log"
    fi

    local port="" attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        if as_owner "$PGBIN/pg_ctl" start -D "$data" -l "$log" -w -t 30 -o \
            "-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            >>"$dir/pg_ctl.log" 2>&1; then
            break
        fi
        port=""   # most likely lost the race for the port; try another
    done
    [[ -n $port ]] || die "server did not start, see $log"
    # From here on, a failure stops the server we just started.
    # shellcheck disable=SC2064  # expand now: $data is local
    trap "as_owner $(printf %q "$PGBIN/pg_ctl") stop -D $(printf %q "$data") -m fast >&2 || true" EXIT

    local i
    for i in $(seq 60); do
        "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null && break
        (( i < 60 )) || die "server not ready after 30 s, see $log"
        sleep 0.5
    done

    if [[ -z $("$PGBIN/psql" -h 127.0.0.1 -p "$port" -U "$PG_USER_NAME" -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_DB_NAME'") ]]; then
        "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U "$PG_USER_NAME" "$PG_DB_NAME" >&2
    fi
    trap - EXIT
    echo "postgresql://$PG_USER_NAME@127.0.0.1:$port/$PG_DB_NAME"
}

cmd_stop() {
    local dir=$1
    find_bin || die "initdb/pg_ctl not found"
    local data
    data=$(cd "$dir" && pwd)/data
    cd "$dir"
    [[ -f $data/PG_VERSION ]] || die "no cluster in $dir"
    if [[ $(id -u) -eq 0 ]]; then
        RUN_AS=$(stat -c %U "$data")
    fi
    as_owner "$PGBIN/pg_ctl" stop -D "$data" -m fast -w -t 30 >&2
}

case "${1:-}:${2:-}" in
    start:?*) cmd_start "$2" ;;
    stop:?*) cmd_stop "$2" ;;
    *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac
