#!/usr/bin/env bash
# A streaming replica of the local Postgres on loopback, for the read-replica tests.
#
#   bash .ci/replica.sh            # start it (idempotent), print its URL base
#   bash .ci/replica.sh stop       # stop it
#
# The replica is a second cluster made with pg_basebackup from the primary on
# 127.0.0.1:5432, served on 127.0.0.1:$RUNWAY_REPLICA_PORT (5433) as a hot standby,
# with a read-only login role (runway_reader). One replica serves every checkout on
# the machine: a running, streaming one is reused; a broken one (not in recovery,
# not streaming, or fallen too far behind) is made again. Data lives in
# $RUNWAY_REPLICA_DIR (/tmp/runway-replica-5433), owned by the postgres user.
# Tests that pause replay coordinate through advisory locks on the primary.
set -euo pipefail

PORT="${RUNWAY_REPLICA_PORT:-5433}"
DIR="${RUNWAY_REPLICA_DIR:-/tmp/runway-replica-$PORT}"
PRIMARY_PORT="${RUNWAY_PRIMARY_PORT:-5432}"
ROLE=runway_reader

say() { echo "replica: $*" >&2; }
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
psql_primary() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "$1"; }
psql_replica() { as_postgres psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc "$1" 2>/dev/null; }

BIN="$(pg_config --bindir)"
PG_CTL="$BIN/pg_ctl"
PG_BASEBACKUP="$BIN/pg_basebackup"

# One run at a time: parallel test workers may all ask for the replica at once.
mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
flock -w 300 9 || { say "another run holds $DIR.lock for too long"; exit 1; }

stop() {
    if [ -f "$DIR/data/postmaster.pid" ]; then
        as_postgres "$PG_CTL" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
}

if [ "${1:-start}" = stop ]; then
    stop
    say "stopped"
    exit 0
fi

healthy() {
    [ "$(psql_replica 'select pg_is_in_recovery()')" = t ] || return 1
    # Streaming, or about to be: the WAL receiver has connected to the primary.
    for _ in $(seq 20); do
        [ "$(psql_replica "select status from pg_stat_wal_receiver")" = streaming ] && return 0
        sleep 0.5
    done
    return 1
}

# The primary: replication connections from loopback, and the read-only role.
HBA="$(psql_primary 'show hba_file')"
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
    say "allowing replication connections from 127.0.0.1 in $HBA"
    printf '\n# Added by runway .ci/replica.sh: the loopback streaming replica.\nhost replication all 127.0.0.1/32 trust\n' >>"$HBA"
    psql_primary 'select pg_reload_conf()' >/dev/null
fi
if [ "$(psql_primary 'show wal_level')" = minimal ]; then
    say "the primary runs with wal_level=minimal; a replica needs replica or logical"
    exit 1
fi
psql_primary "do \$\$ begin
    if not exists (select from pg_roles where rolname = '$ROLE') then
        create role $ROLE login in role pg_read_all_data;
    end if;
end \$\$" >/dev/null
psql_primary "alter role $ROLE set default_transaction_read_only = on" >/dev/null

if healthy; then
    say "reusing the streaming replica on port $PORT"
else
    stop
    say "making a replica of 127.0.0.1:$PRIMARY_PORT in $DIR (port $PORT)"
    rm -rf "$DIR"
    mkdir -p "$DIR"
    chown postgres: "$DIR"
    as_postgres "$PG_BASEBACKUP" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/data" -R -X stream -c fast
    # Debian keeps configuration outside the data folder: give the copy its own.
    CONFIG_DIR="$(dirname "$HBA")"
    as_postgres cp "$HBA" "$CONFIG_DIR/pg_ident.conf" "$DIR/data/"
    as_postgres tee "$DIR/data/postgresql.conf" >/dev/null <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
hot_standby = on
hot_standby_feedback = on
max_connections = $(psql_primary 'show max_connections')
max_wal_senders = $(psql_primary 'show max_wal_senders')
max_worker_processes = $(psql_primary 'show max_worker_processes')
max_locks_per_transaction = $(psql_primary 'show max_locks_per_transaction')
max_prepared_transactions = $(psql_primary 'show max_prepared_transactions')
shared_preload_libraries = 'pg_stat_statements'
EOF
    # 9>&-: the server must not inherit (and hold) the lock.
    as_postgres "$PG_CTL" -D "$DIR/data" -l "$DIR/log" -w -t 60 start >/dev/null 9>&-
    if ! healthy; then
        say "the new replica is not streaming; its log:"
        tail -n 30 "$DIR/log" >&2
        exit 1
    fi
    say "streaming on port $PORT"
fi
echo "postgres://$ROLE@127.0.0.1:$PORT"
