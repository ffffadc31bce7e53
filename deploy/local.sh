#!/usr/bin/env bash
# The production shape on this one machine, for trying it out (README, "Running in production"):
#
#   nginx            127.0.0.1:8620 (HTTPS, a self-signed certificate made here) → the two app servers
#   gunicorn         127.0.0.1:8621 and 127.0.0.1:8622, QINGDAN_DEBUG=false, deploy/gunicorn.conf.py (metrics added up)
#   celery           two workers (`celery -A qingdan worker`) taking the jobs from Redis (QINGDAN_BROKER_URL), one beat
#   PostgreSQL       the machine's server on 5432 holds the primary database qingdan_deploy;
#                    a streaming replica of that server (pg_basebackup -R) runs on 5433 from var/deploy/replica
#   Redis            127.0.0.1:6379, database QINGDAN_DEPLOY_REDIS_DB (2): the cache and the sessions
#
# deploy/local.sh start | stop | status
#
# QINGDAN_DEPLOY_DB=qingdan_province QINGDAN_DEPLOY_KEYS=var/province/keys.env deploy/local.sh start serves another
# database of the same server instead (one bench/province.py made, with the keys it made beside it; no demo data
# is loaded into it): the load test's shape at province scale. Stop and start again to switch back.
#
# Everything it makes lives under var/deploy/: the generated secret and keys (var/deploy/env, kept between runs),
# configuration, pid files, logs, the replica's data and the uploaded files. Start-up changes the machine's
# PostgreSQL server only if it must: a pg_hba.conf line that lets 127.0.0.1 stream WAL to the replica (and a
# configuration reload). `stop` stops every process it started; the primary database stays, for the next start,
# and so does the replica with its replication slot, for which the primary keeps up to 4 GB of WAL
# (max_slot_wal_keep_size, set on the server if it had no bound) until the replica is started again (to give that
# space back: stop, rm -rf var/deploy/replica, and select pg_drop_replication_slot('qingdan_local_replica')).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VAR=$ROOT/var/deploy
RUN=$VAR/run
LOG=$VAR/log
PY=$ROOT/.venv/bin/python
PGBIN=/usr/lib/postgresql/15/bin
NGINX=/usr/sbin/nginx
HTTP_PORT=8620
APP_PORTS=(8621 8622)
PRIMARY_PORT=5432
REPLICA_PORT=5433
DB=${QINGDAN_DEPLOY_DB:-qingdan_deploy}
REDIS_DB=${QINGDAN_DEPLOY_REDIS_DB:-2}
REPLICA_DIR=$VAR/replica
SLOT=qingdan_local_replica
PGSOCK=$VAR/pgsock  # the replica's socket directory

say() { printf '==> %s\n' "$*"; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

make_env() {
    if [ -f "$VAR/env" ]; then
        # An env file made before the jobs went to Celery: the servers and workers need the broker too.
        grep -q '^QINGDAN_BROKER_URL=' "$VAR/env" || echo "QINGDAN_BROKER_URL=redis://127.0.0.1:6379/$REDIS_DB" >>"$VAR/env"
        return
    fi
    say "generating var/deploy/env (secret key and data keys, kept for the next start)"
    local secret data lookup
    secret=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
    data=$("$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
    lookup=$("$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
    umask 077
    cat >"$VAR/env" <<EOF
QINGDAN_DEBUG=false
QINGDAN_SECRET_KEY=$secret
QINGDAN_DATA_KEYS=k1:$data
QINGDAN_LOOKUP_KEY=$lookup
QINGDAN_ALLOWED_HOSTS=127.0.0.1,localhost
QINGDAN_CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$HTTP_PORT,https://localhost:$HTTP_PORT
QINGDAN_BEHIND_PROXY=true
QINGDAN_HSTS_SECONDS=0
QINGDAN_DATABASE_URL=postgresql://postgres@127.0.0.1:$PRIMARY_PORT/$DB
QINGDAN_REPLICA_URL=postgresql://postgres@127.0.0.1:$REPLICA_PORT/$DB
QINGDAN_REPLICA_PIN_SECONDS=10
QINGDAN_REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB
QINGDAN_BROKER_URL=redis://127.0.0.1:6379/$REDIS_DB
QINGDAN_MEDIA_ROOT=$VAR/media
QINGDAN_SITE_URL=https://127.0.0.1:$HTTP_PORT
EOF
    umask 022
}

load_env() {
    set -a
    # shellcheck disable=SC1091
    . "$VAR/env"
    QINGDAN_DATABASE_URL=postgresql://postgres@127.0.0.1:$PRIMARY_PORT/$DB
    QINGDAN_REPLICA_URL=postgresql://postgres@127.0.0.1:$REPLICA_PORT/$DB
    if [ -n "${QINGDAN_DEPLOY_KEYS:-}" ]; then
        # shellcheck disable=SC1090
        . "$QINGDAN_DEPLOY_KEYS"
    fi
    set +a
}

# --- PostgreSQL ----------------------------------------------------------------------------------------------------

prepare_primary() {
    local wal senders
    wal=$(psql_primary -c "show wal_level")
    senders=$(psql_primary -c "show max_wal_senders")
    if [ "$wal" = minimal ] || [ "$senders" = 0 ]; then
        say "the server on $PRIMARY_PORT has wal_level=$wal, max_wal_senders=$senders: setting wal_level=replica," \
            "max_wal_senders=10; restart that server (e.g. pg_ctlcluster 15 main restart) and start again"
        psql_primary -c "alter system set wal_level = replica" -c "alter system set max_wal_senders = 10"
        exit 1
    fi
    if [ "$(psql_primary -c "show max_slot_wal_keep_size")" = -1 ]; then
        # The replica's slot keeps WAL while the replica is stopped: bounded, so a replica left stopped for good cannot
        # fill the server's disk (past the bound the slot is lost, /healthz/ says the replica is not streaming, and
        # the next start copies the primary afresh).
        say "machine change: max_slot_wal_keep_size = 4GB on the server at $PRIMARY_PORT, then reloading it"
        psql_primary -c "alter system set max_slot_wal_keep_size = '4GB'" -c "select pg_reload_conf()" >/dev/null
    fi
    if [ "$(psql_primary -c "select count(*) from pg_hba_file_rules where 'replication' = any(database) and error is null")" = 0 ]; then
        local hba
        hba=$(psql_primary -c "show hba_file")
        say "machine change: allowing replication from 127.0.0.1 in $hba, then reloading the server"
        printf '%s\n' "# qingdan deploy/local.sh: the local streaming replica on port $REPLICA_PORT" \
            "host replication postgres 127.0.0.1/32 trust" >>"$hba"
        psql_primary -c "select pg_reload_conf()" >/dev/null
    fi
    if [ "$(psql_primary -c "select count(*) from pg_database where datname = '$DB'")" = 0 ]; then
        say "creating database $DB on the server at $PRIMARY_PORT"
        psql_primary -c "create database $DB"
    fi
}

write_replica_config() {
    # Debian keeps the server's configuration outside its data directory: the replica gets its own, with the
    # limits a standby must not have below its primary's.
    local limits
    limits=$(psql_primary -c "select string_agg(name || ' = ' || setting, E'\\n') from pg_settings where name in
        ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
         'max_locks_per_transaction')")
    as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGSOCK'
hot_standby = on
shared_buffers = 32MB
$limits
EOF
}

start_replica() {
    mkdir -p "$PGSOCK"
    [ "$(id -u)" = 0 ] && chown postgres: "$PGSOCK"
    # A slot the primary gave up on (more WAL was written while the replica was stopped than max_slot_wal_keep_size
    # keeps, e.g. a province generated in between) can never feed this copy again: it is made afresh.
    if [ -f "$REPLICA_DIR/standby.signal" ] &&
        [ "$(psql_primary -c "select count(*) from pg_replication_slots where slot_name = '$SLOT' and wal_status <> 'lost'")" = 0 ]; then
        say "the replica's slot is lost (the primary no longer keeps the WAL it needs): copying the primary afresh"
        stop_replica
        rm -f "$REPLICA_DIR/standby.signal"
    fi
    if [ ! -f "$REPLICA_DIR/standby.signal" ]; then
        say "copying the primary into var/deploy/replica (pg_basebackup -R)"
        rm -rf "$REPLICA_DIR"
        mkdir -p "$REPLICA_DIR"
        [ "$(id -u)" = 0 ] && chown postgres: "$REPLICA_DIR"
        chmod 700 "$REPLICA_DIR"
        # A replication slot keeps the WAL the replica has not received yet while it is stopped: without one the
        # primary recycles it and a replica started again the next day can never catch up.
        psql_primary -c "select pg_drop_replication_slot('$SLOT') from pg_replication_slots where slot_name = '$SLOT'" >/dev/null
        as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" -R -X stream \
            -C -S "$SLOT" -c fast
        as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
    fi
    write_replica_config
    if as_postgres "$PGBIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; then
        say "replica already running on $REPLICA_PORT"
        return
    fi
    say "starting the streaming replica on $REPLICA_PORT"
    touch "$LOG/replica.log"
    [ "$(id -u)" = 0 ] && chown postgres: "$LOG/replica.log"
    as_postgres "$PGBIN/pg_ctl" -D "$REPLICA_DIR" -l "$LOG/replica.log" -w -t 60 start >/dev/null
}

stop_replica() {
    if [ -d "$REPLICA_DIR" ] && as_postgres "$PGBIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; then
        say "stopping the replica"
        as_postgres "$PGBIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null
    fi
}

# --- the application ------------------------------------------------------------------------------------------------

prepare_app() {
    mkdir -p "$VAR/media"
    say "migrating the primary"
    "$PY" manage.py migrate --noinput >"$LOG/migrate.log"
    if [ "$DB" = qingdan_deploy ] && [ ! -f "$VAR/demo-loaded" ] && [ "${QINGDAN_DEPLOY_DEMO:-1}" = 1 ]; then
        say "loading the demo data (once; QINGDAN_DEPLOY_DEMO=0 skips it)"
        "$PY" manage.py load_demo >"$LOG/load_demo.log"
        touch "$VAR/demo-loaded"
    fi
    local manifest=$ROOT/var/static/staticfiles.json
    if [ -f "$manifest" ] && [ -z "$(find "$ROOT/static" "$ROOT/package-lock.json" "$ROOT/.venv/lib" -newer "$manifest" -print -quit)" ]; then
        say "static files in var/static are up to date (delete var/static/staticfiles.json to collect them again)"
    else
        say "collecting static files into var/static (compressing them takes minutes the first time)"
        "$PY" manage.py collectstatic --noinput >"$LOG/collectstatic.log"
    fi
}

start_gunicorn() {
    local port
    for port in "${APP_PORTS[@]}"; do
        if alive "$RUN/gunicorn-$port.pid"; then
            say "gunicorn on $port already running"
            continue
        fi
        say "starting gunicorn on 127.0.0.1:$port"
        PROMETHEUS_MULTIPROC_DIR="$RUN/metrics-$port" "$ROOT/.venv/bin/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" \
            qingdan.wsgi --bind "127.0.0.1:$port" --workers 2 --daemon --pid "$RUN/gunicorn-$port.pid" \
            --access-logfile "$LOG/gunicorn-$port-access.log" --error-logfile "$LOG/gunicorn-$port.log"
    done
}

start_celery() {
    local n
    for n in 1 2; do
        if alive "$RUN/celery-$n.pid"; then
            say "celery worker $n already running"
            continue
        fi
        say "starting celery worker $n"
        "$ROOT/.venv/bin/celery" -A qingdan worker --detach --concurrency 1 --hostname "worker$n@%h" \
            --pidfile "$RUN/celery-$n.pid" --logfile "$LOG/celery-$n.log" --loglevel INFO
    done
    # One beat for the whole shape: the daily scans and the weekly digest (CELERY_BEAT_SCHEDULE).
    if alive "$RUN/celery-beat.pid"; then
        say "celery beat already running"
    else
        say "starting celery beat"
        "$ROOT/.venv/bin/celery" -A qingdan beat --detach --pidfile "$RUN/celery-beat.pid" \
            --logfile "$LOG/celery-beat.log" --loglevel INFO --schedule "$RUN/celerybeat-schedule"
    fi
}

make_certificate() {
    [ -f "$VAR/tls/local.crt" ] && return
    say "making a self-signed certificate for 127.0.0.1 in var/deploy/tls"
    mkdir -p "$VAR/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$VAR/tls/local.key" -out "$VAR/tls/local.crt" 2>/dev/null
    chmod 600 "$VAR/tls/local.key"
}

start_nginx() {
    if [ ! -x "$NGINX" ]; then
        say "installing nginx (apt-get install -y nginx)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y nginx >"$LOG/apt-nginx.log"
    fi
    if alive "$RUN/nginx.pid"; then
        say "nginx already running"
        return
    fi
    make_certificate
    mkdir -p "$VAR/nginx"
    local user_line="" max_body
    [ "$(id -u)" = 0 ] && user_line="user www-data;"
    max_body=$("$PY" -c 'import django, os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings"); django.setup(); from django.conf import settings; print(settings.QINGDAN_MAX_REQUEST_BYTES)')
    sed -e "s|@USER@|$user_line|" -e "s|@VAR@|$VAR|g" -e "s|@RUN@|$RUN|g" -e "s|@LOG@|$LOG|g" \
        -e "s|@STATIC@|$ROOT/var/static|g" -e "s|@PORT@|$HTTP_PORT|g" -e "s|@MAX_BODY@|$max_body|g" \
        -e "s|@APP1@|${APP_PORTS[0]}|g" -e "s|@APP2@|${APP_PORTS[1]}|g" \
        deploy/nginx/local.conf.in >"$VAR/nginx.conf"
    "$NGINX" -t -q -p "$VAR/nginx" -c "$VAR/nginx.conf"
    say "starting nginx on https://127.0.0.1:$HTTP_PORT"
    "$NGINX" -p "$VAR/nginx" -c "$VAR/nginx.conf"
}

stop_pidfile() {  # name, pid file: TERM, then wait for the process to go
    local pid
    alive "$2" || { rm -f "$2"; return 0; }
    pid=$(cat "$2")
    say "stopping $1 (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$2"; return 0; }
        sleep 0.1
    done
    say "$1 did not stop within 15 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$2"
}

status() {
    local f
    for f in nginx gunicorn-${APP_PORTS[0]} gunicorn-${APP_PORTS[1]} celery-1 celery-2 celery-beat; do
        if alive "$RUN/$f.pid"; then echo "$f: running (pid $(cat "$RUN/$f.pid"))"; else echo "$f: stopped"; fi
    done
    if [ -d "$REPLICA_DIR" ] && as_postgres "$PGBIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; then
        echo "replica: running on $REPLICA_PORT ($(psql -h 127.0.0.1 -p $REPLICA_PORT -U postgres -Atc 'select case when pg_is_in_recovery() then $$streaming from the primary$$ else $$NOT a standby$$ end' "$DB"))"
    else
        echo "replica: stopped"
    fi
}

case "${1:-}" in
start)
    mkdir -p "$VAR" "$RUN" "$LOG"
    make_env
    load_env
    prepare_primary
    prepare_app
    start_replica
    start_gunicorn
    start_celery
    start_nginx
    say "up: https://127.0.0.1:$HTTP_PORT (self-signed certificate: var/deploy/tls/local.crt); deploy/local.sh stop stops it"
    ;;
stop)
    [ -d "$RUN" ] || exit 0
    stop_pidfile nginx "$RUN/nginx.pid"
    for n in 1 2; do stop_pidfile "celery worker $n" "$RUN/celery-$n.pid"; done
    stop_pidfile "celery beat" "$RUN/celery-beat.pid"
    for port in "${APP_PORTS[@]}"; do stop_pidfile "gunicorn on $port" "$RUN/gunicorn-$port.pid"; done
    stop_replica
    ;;
status)
    mkdir -p "$RUN"
    status
    ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
