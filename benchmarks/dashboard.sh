#!/usr/bin/env bash
# Dashboard and job page under load: 200 jobs and 50,000 runs in PostgreSQL, 32 concurrent clients (wrk), the
# release build of `syncboard serve`. Reports latency percentiles per page and the server's peak memory.
#
#   benchmarks/dashboard.sh [seconds per page=20]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

# BENCH_BIN=path skips the build (e.g. to profile a binary you built yourself).
if [ -z "${BENCH_BIN:-}" ]; then
  swift build -c release --product syncboard >/dev/null
  bin="$(swift build -c release --show-bin-path)/syncboard"
else
  bin="$BENCH_BIN"
fi
admin="$(scripts/test-postgres start)"
db="sb_dash_$$"
psql "$admin" -qc "CREATE DATABASE $db"
url="${admin%/postgres}/$db"
export DATABASE_URL="$url" SYNCBOARD_ENCRYPTION_KEYS="bench:$(head -c 32 /dev/urandom | base64)" SYNCBOARD_LOG_LEVEL=error
export SYNCBOARD_TELEMETRY_PAGE_VIEWS="${SYNCBOARD_TELEMETRY_PAGE_VIEWS:-true}"
"$bin" migrate >/dev/null
token="benchmark-session-token-0123456789abcdefghijklmnop"
digest="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"

psql "$url" -q <<SQL
INSERT INTO users (id, email, display_name, created_at) VALUES ('00000000-0000-0000-0000-000000000001', 'bench@example.com', 'Bench', now());
INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at)
  VALUES ('$digest', '00000000-0000-0000-0000-000000000001', 'csrf', now(), now(), now() + interval '1 day');
INSERT INTO google_accounts (id, user_id, subject, email, status, granted_scopes, created_at) VALUES
  ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'a', 'work@example.com', 'active', 'openid', now()),
  ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000001', 'b', 'home@example.com', 'active', 'openid', now());
INSERT INTO calendars (id, account_id, google_id, summary, time_zone, access_role, background_color, is_primary, created_at, refreshed_at) VALUES
  ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000a1', 'work@example.com', 'Work', 'Europe/Berlin', 'owner', '#4986e7', true, now(), now()),
  ('00000000-0000-0000-0000-0000000000c2', '00000000-0000-0000-0000-0000000000a2', 'home@example.com', 'Home', 'Europe/Berlin', 'owner', '#16a765', true, now(), now());
INSERT INTO sync_jobs (id, user_id, name, source_calendar_id, destination_calendar_id, transformers, filters,
  window_start_identifier, window_start_offset, window_end_identifier, window_end_offset, cadence, time_zone,
  update_concurrency, enabled, next_run_at, consecutive_failures, created_at)
SELECT ('00000000-0000-0000-0001-' || lpad(n::text, 12, '0'))::uuid, '00000000-0000-0000-0000-000000000001', 'Job ' || lpad(n::text, 3, '0'),
  '00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000c2',
  '{"steps":[{"name":"KeepTitle","parameters":{}}]}', '{"steps":[]}', 'MonthStart', -1, 'MonthEnd', 1,
  '{"kind":"hourly"}', 'Europe/Berlin', 1, true, now() + interval '1 hour', 0, now()
FROM generate_series(1, 200) AS n;
INSERT INTO job_runs (id, job_id, trigger, mode, status, engine, attempt, scheduled_for, queued_at, started_at, finished_at,
  duration_ms, created_count, updated_count, deleted_count, cancel_requested, log_line_count, log_dropped_count)
SELECT gen_random_uuid(), j.id, 'scheduled', 'sync', CASE WHEN r % 17 = 0 THEN 'failed' ELSE 'succeeded' END, 'calendarsync', 1,
  now() - (r || ' hours')::interval, now() - (r || ' hours')::interval, now() - (r || ' hours')::interval,
  now() - (r || ' hours')::interval + interval '3 seconds', 3000, r % 5, r % 3, 0, false, 12, 0
FROM sync_jobs j, generate_series(1, 250) AS r;
ANALYZE;
SQL
echo "seeded: $(psql "$url" -tAc "SELECT count(*) FROM sync_jobs") jobs, $(psql "$url" -tAc "SELECT count(*) FROM job_runs") runs"

port=18099
${BENCH_WRAP:-} "$bin" serve --port "$port" --no-scheduler >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
cookie="Cookie: syncboard_session=$token"
curl -fs -H "$cookie" "http://127.0.0.1:$port/" | grep -q 'Job 001' || { echo "bench: the dashboard did not render the seeded jobs" >&2; exit 1; }

for _ in 1 2 3; do curl -s -o /dev/null -w "single request to /: %{time_total}s\n" -H "$cookie" "http://127.0.0.1:$port/"; done
for page in "/" "/jobs/00000000-0000-0000-0001-000000000100"; do
  echo "== GET $page, 32 connections, ${duration}s"
  wrk -t2 -c32 -d"${duration}s" -s benchmarks/percentiles.lua -H "$cookie" "http://127.0.0.1:$port$page" | grep -E "^p50|Requests/sec|Non-2xx"
done
echo "server peak memory (VmHWM): $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
