#!/usr/bin/env bash
# Scheduler throughput and lag: N jobs fall due at the same instant; three `syncboard worker` processes with the
# no-op engine claim and start them on PostgreSQL. Reports claimed-and-started runs per second and the scheduler
# lag (start time minus scheduled time) at the 50th and 99th percentile.
#
#   benchmarks/scheduler.sh [jobs=2000] [concurrency per worker=16] [spread seconds=0]
#
# spread 0: all jobs fall due at the same instant (a burst: throughput, and lag from queueing);
# spread S: due times spread evenly over S seconds (steady load: lag from polling and claiming).
#
# Then the same jobs fall due again and three pgbench clients claim them with plain `FOR UPDATE SKIP LOCKED` and
# nothing else (one statement a transaction: pick a batch, insert its runs, move the jobs on; no app, no engine, no
# lease renewal, no outcome): what the database allows claimers over the wire. Both rates are printed side by side with their ratio.
#
# Uses the private PostgreSQL of scripts/test-postgres and the release build (built if missing; or BIN=dir).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-2000}"
concurrency="${2:-16}"
spread="${3:-0}"

if [ -n "${BIN:-}" ]; then bin="$BIN/syncboard"; else
  swift build -c release --product syncboard >/dev/null
  bin="$(swift build -c release --show-bin-path)/syncboard"
fi
admin="$(scripts/test-postgres start)"
db="sb_bench_$$"
psql "$admin" -qc "DROP DATABASE IF EXISTS $db" && psql "$admin" -qc "CREATE DATABASE $db"
url="${admin%/postgres}/$db"
export DATABASE_URL="$url" SYNCBOARD_ENCRYPTION_KEYS="bench:$(head -c 32 /dev/urandom | base64)"
export SYNCBOARD_LOG_LEVEL=warning SYNCBOARD_ENGINE=noop SYNCBOARD_WORKER_CONCURRENCY="$concurrency"
export SYNCBOARD_CONCURRENT_RUNS_PER_ACCOUNT=true SYNCBOARD_POLL_INTERVAL_MS=50
"$bin" migrate >/dev/null

# One user, two calendars, N jobs due in 5 seconds (a yearly cron, so each job runs exactly once).
psql "$url" -q <<SQL
INSERT INTO users (id, email, display_name, created_at) VALUES ('00000000-0000-0000-0000-000000000001', 'bench@example.com', 'Bench', now());
INSERT INTO google_accounts (id, user_id, subject, email, status, granted_scopes, created_at) VALUES
  ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'a', 'a@example.com', 'active', 'openid', now()),
  ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000001', 'b', 'b@example.com', 'active', 'openid', now());
INSERT INTO calendars (id, account_id, google_id, summary, access_role, is_primary, created_at, refreshed_at) VALUES
  ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000a1', 'a@example.com', 'A', 'owner', true, now(), now()),
  ('00000000-0000-0000-0000-0000000000c2', '00000000-0000-0000-0000-0000000000a2', 'b@example.com', 'B', 'owner', true, now(), now());
INSERT INTO sync_jobs (id, user_id, name, source_calendar_id, destination_calendar_id, transformers, filters,
  window_start_identifier, window_start_offset, window_end_identifier, window_end_offset, cadence, time_zone,
  update_concurrency, enabled, next_run_at, consecutive_failures, created_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 'job ' || n, '00000000-0000-0000-0000-0000000000c1',
  '00000000-0000-0000-0000-0000000000c2', '{"steps":[]}', '{"steps":[]}', 'MonthStart', -1, 'MonthEnd', 1,
  '{"kind":"cron","expression":"0 0 1 1 *"}', 'UTC', 1, true,
  now() + interval '5 seconds' + make_interval(secs => $spread::float * n / $jobs), 0, now()
FROM generate_series(1, $jobs) AS n;
SQL

pids=()
for _ in 1 2 3; do "$bin" worker >/dev/null 2>&1 & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null || true; psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true' EXIT

deadline=$((SECONDS + 300 + spread))
until [ "$(psql "$url" -tAc "SELECT count(*) FROM job_runs WHERE started_at IS NOT NULL")" -ge "$jobs" ]; do
  [ $SECONDS -lt $deadline ] || { echo "bench: not all runs started within 300 s" >&2; exit 1; }
  sleep 0.5
done
report() {  # $1: who claimed
  psql "$url" -tA -F ' ' <<SQL | { read -r due started rate p50 p99 max; \
    printf '%s: started %s runs in %.2f s from the first due time: %.0f runs/s; lag p50 %.0f ms, p99 %.0f ms, max %.0f ms\n' \
      "$1" "$due" "$started" "$rate" "$p50" "$p99" "$max"; echo "$rate" > "$tmp/rate-$2"; }
SELECT count(*),
       extract(epoch FROM max(started_at) - min(scheduled_for)),
       count(*) / nullif(extract(epoch FROM max(started_at) - min(scheduled_for)), 0),
       1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for)),
       1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for)),
       1000 * max(extract(epoch FROM started_at - scheduled_for))
FROM job_runs;
SQL
  echo "  duplicates (must be 0): $(psql "$url" -tAc "SELECT count(*) - count(DISTINCT job_id) FROM job_runs")"
}
tmp="$(mktemp -d)"
echo "jobs=$jobs workers=3 concurrency/worker=$concurrency spread=${spread}s"
report "Syncboard (3 workers, the no-op engine)" syncboard
kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=()

# The same jobs due again (now), claimed by plain SKIP LOCKED from three pgbench clients, a batch of $concurrency
# per transaction, one round trip each, until none is left.
cat > "$tmp/claim.sql" <<SQL
WITH picked AS (
  SELECT id, next_run_at FROM sync_jobs WHERE enabled AND next_run_at <= clock_timestamp()
  ORDER BY next_run_at LIMIT $concurrency FOR UPDATE SKIP LOCKED
), made AS (
  INSERT INTO job_runs (id, job_id, trigger, mode, status, attempt, scheduled_for, queued_at, started_at, worker_id,
                        cancel_requested, log_line_count, log_dropped_count)
  SELECT gen_random_uuid(), id, 'scheduled', 'sync', 'succeeded', 1, next_run_at, clock_timestamp(), clock_timestamp(),
         'plain', false, 0, 0 FROM picked RETURNING job_id
)
UPDATE sync_jobs SET next_run_at = NULL WHERE id IN (SELECT job_id FROM made);
SQL
psql "$url" -qc "DELETE FROM job_runs"
psql "$url" -qc "UPDATE sync_jobs SET next_run_at = clock_timestamp() + make_interval(secs => $spread::float * n / $jobs)
  FROM (SELECT id AS jid, row_number() OVER (ORDER BY id) AS n FROM sync_jobs) numbered WHERE id = jid"
per_client=$(( jobs / concurrency / 3 + 5 ))
for _ in 1 2 3 4 5 6 7 8 9 10; do
  [ "$(psql "$url" -tAc "SELECT count(*) FROM sync_jobs WHERE next_run_at IS NOT NULL")" -gt 0 ] || break
  pgbench -n -c 3 -j 3 -t "$per_client" -f "$tmp/claim.sql" "$url" >"$tmp/pgbench.log" 2>&1 || {
    echo "bench: pgbench failed:" >&2; tail -3 "$tmp/pgbench.log" >&2; exit 1; }
done
report "plain FOR UPDATE SKIP LOCKED (3 pgbench clients)" plain
awk -v a="$(cat "$tmp/rate-syncboard")" -v b="$(cat "$tmp/rate-plain")" 'BEGIN { printf "Syncboard claims at %.0f%% of plain SKIP LOCKED\n", 100 * a / b }'
rm -rf "$tmp"
