#!/usr/bin/env bash
# The load test, headless and bounded: locust with bench/locustfile.py, then throughput, p50/p95/p99 and error
# share per page (bench/load_summary.py over locust's --csv output).
#
#   bench/load_test.sh [HOST]                   # default https://127.0.0.1:8620/ (deploy/local.sh's nginx front)
#   bench/load_test.sh --serve postgresql://postgres@127.0.0.1:5432/qingdan_province_s01
#                                               # start one gunicorn (2 workers, port $PORT, default 8681) on that
#                                               # database with the keys of var/province/keys.env, run, stop it
#
# Environment: USERS (50), SPAWN_RATE (1 a second, locust's own default), RUN_TIME (3m: the fifty users together
# for over two minutes), PORT (8681), WORKERS (2), THREADS (1), QINGDAN_LOAD_SEED (2026: which users are drawn),
# QINGDAN_LOAD_FIXTURE (the generator's var/province/<database>.json; --serve picks the one of its database).
# Output in var/load/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
USERS=${USERS:-50} SPAWN_RATE=${SPAWN_RATE:-1} RUN_TIME=${RUN_TIME:-3m} PORT=${PORT:-8681} WORKERS=${WORKERS:-2} THREADS=${THREADS:-1}
OUT=$ROOT/var/load
mkdir -p "$OUT"
SERVER_PID=

stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
}
trap stop_server EXIT

if [[ ${1:-} == --serve ]]; then
    DATABASE_URL=${2:?--serve needs the database URL}
    [[ -f $ROOT/var/province/keys.env ]] || { echo "no var/province/keys.env: run bench/province.py first" >&2; exit 2; }
    NAME=${DATABASE_URL##*/}
    export QINGDAN_LOAD_FIXTURE=${QINGDAN_LOAD_FIXTURE:-$ROOT/var/province/$NAME.json}
    (
        # shellcheck disable=SC1091
        source "$ROOT/var/province/keys.env"
        # Every simulated worker answers the polls from this one address: the per-address and per-poll throttles
        # (30 and 120 a minute) would refuse most of them, so they are lifted for this server only.
        exec env DJANGO_SETTINGS_MODULE=bench.settings QINGDAN_DEBUG=false QINGDAN_DATABASE_URL="$DATABASE_URL" \
            QINGDAN_ALLOWED_HOSTS=127.0.0.1,localhost QINGDAN_SECURE_SSL_REDIRECT=false QINGDAN_LOG_LEVEL=WARNING \
            QINGDAN_POLL_ANSWERS_PER_ADDRESS=100000 QINGDAN_POLL_ANSWERS_PER_POLL=100000 \
            "$ROOT/.venv/bin/python" -m gunicorn -c "$ROOT/deploy/gunicorn.conf.py" --workers "$WORKERS" \
            --threads "$THREADS" --bind "127.0.0.1:$PORT" --timeout 60 --graceful-timeout 5 --log-level warning \
            bench.wsgi:application
    ) >"$OUT/gunicorn.log" 2>&1 &
    SERVER_PID=$!
    HOST=http://127.0.0.1:$PORT/
    for _ in $(seq 1 150); do
        curl -fsS -o /dev/null "${HOST}login/" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/gunicorn.log" >&2; exit 2; }
        sleep 0.2
    done
else
    HOST=${1:-https://127.0.0.1:8620/}
fi

echo "Load test: $USERS users (+$SPAWN_RATE/s) for $RUN_TIME against $HOST, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$ROOT/.venv/bin/locust" -f "$ROOT/bench/locustfile.py" --host "${HOST%/}" --headless -u "$USERS" -r "$SPAWN_RATE" \
    --run-time "$RUN_TIME" --stop-timeout 10 --csv "$OUT/run" --only-summary --loglevel WARNING \
    >"$OUT/locust.log" 2>&1 || true
echo "Machine load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
"$ROOT/.venv/bin/python" "$ROOT/bench/load_summary.py" "$OUT/run_stats.csv"
if [[ -s $OUT/run_failures.csv ]] && [[ $(wc -l <"$OUT/run_failures.csv") -gt 1 ]]; then
    echo; echo "Failures (locust's run_failures.csv):"; cut -c1-200 "$OUT/run_failures.csv" | head -20
fi
