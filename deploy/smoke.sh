#!/usr/bin/env bash
# After deploy/local.sh start: log in through nginx as a demo user, read the items' list, and show that a read
# after the log-in's pin has expired is answered from the replica (the apps hold a connection to it).
set -euo pipefail
BASE=${BASE:-https://127.0.0.1:8620}
USER_NAME=${1:-office}
PASSWORD=${QINGDAN_DEMO_PASSWORD:-Qingdan@2026}
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
get() { curl -sk -b "$jar" -c "$jar" "$@"; }

get -o /dev/null "$BASE/login/"
token=$(awk '$6 == "csrftoken" {print $7}' "$jar")
code=$(get -o /dev/null -w '%{http_code} %{redirect_url}' -e "$BASE/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=$USER_NAME" \
    --data-urlencode "password=$PASSWORD" "$BASE/login/")
echo "log-in as $USER_NAME: $code"
case "$code" in 302*) ;; *) echo "log-in failed" >&2; exit 1 ;; esac
page=$(get -w '\n%{http_code}' "$BASE/lists/items/")
status=${page##*$'\n'}
echo "/lists/items/: HTTP $status, $(grep -o '<title>[^<]*' <<<"$page" | head -1 | sed 's/<title>//')"
[ "$status" = 200 ] || exit 1
static=$(grep -o '/static/[^"]*\.css' <<<"$page" | head -1)
echo "static $static: $(curl -sk -o /dev/null -D - "$BASE$static" | grep -i -E '^(HTTP|cache-control)' | tr -d '\r' | paste -sd ' ')"
pin=$(grep -E '^\S+\s+\S+\s+/\s+\S+\s+\S+\s+qingdan_primary' "$jar" || true)
[ -n "$pin" ] && echo "the log-in pinned this browser to the primary for QINGDAN_REPLICA_PIN_SECONDS"
sleep "${PIN_WAIT:-11}"
get -o /dev/null "$BASE/lists/items/"
replica_clients=$(psql -h 127.0.0.1 -p 5433 -U postgres -Atc \
    "select count(*) from pg_stat_activity where datname = 'qingdan_deploy' and backend_type = 'client backend' and pid <> pg_backend_pid()" postgres)
echo "after the pin expired, app connections to the replica: $replica_clients"
