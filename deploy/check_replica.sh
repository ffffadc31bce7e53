#!/usr/bin/env bash
# Shows that the streaming replica started by deploy/local.sh follows the primary: a row written on the primary
# (port 5432) is read back from the replica (port 5433) within a few seconds, and the replica refuses writes.
set -euo pipefail
DB=${1:-qingdan_deploy}
primary() { psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -Atq "$DB" "$@"; }
replica() { psql -h 127.0.0.1 -p 5433 -U postgres -v ON_ERROR_STOP=1 -Atq "$DB" "$@"; }

[ "$(replica -c 'select pg_is_in_recovery()')" = t ] || { echo "the server on 5433 is not a standby" >&2; exit 1; }
marker="replica-check-$(date +%s%N)"
primary -c "create table if not exists deploy_replica_check (marker text primary key, at timestamptz default now())" \
    -c "insert into deploy_replica_check (marker) values ('$marker')"
for _ in $(seq 1 50); do
    if [ "$(replica -c "select count(*) from deploy_replica_check where marker = '$marker'")" = 1 ] 2>/dev/null; then
        lag=$(replica -c "select coalesce(round(extract(epoch from now() - pg_last_xact_replay_timestamp())::numeric, 3), 0)")
        echo "ok: the row written on the primary is on the replica (last replayed transaction ${lag}s ago)"
        if replica -c "insert into deploy_replica_check (marker) values ('x')" 2>/dev/null; then
            echo "the replica accepted a write" >&2; exit 1
        fi
        echo "ok: the replica refuses writes (read-only standby)"
        primary -c "delete from deploy_replica_check where marker = '$marker'"
        exit 0
    fi
    sleep 0.1
done
echo "the row did not reach the replica within 5 s" >&2
exit 1
