#!/usr/bin/env python3
"""Real time for many jobs (issue 30): N real-time jobs at once, end to end, every Calendar API call delayed by
--latency-ms and every other setting at its default.

The google-emulator binary (push notifications over plain http) and Syncboard, one of two setups:
  sqlite    one `syncboard serve` (its scheduler in-process) on SQLite;
  postgres  `syncboard serve` WITH its scheduler plus two `syncboard worker` processes on a private PostgreSQL
            database (created on the admin URL of scripts/test-postgres and dropped afterwards).

Five people sign in over HTTP (the emulator's account chooser) as a<u>@example.com and each links a second account
b<u>@example.org: 10 linked Google accounts. Job j belongs to person j % 5 and copies its own source calendar
src-j into its own destination calendar dst-j (KeepTitle, cadence real time) — with --layout cross (the default)
from one of the person's accounts into the other, alternating direction, so that every run uses both of its
person's accounts; with --layout same both calendars belong to account j % 10. Each source holds --events events.
The jobs are made over the JSON API (a read-write personal access token per person from `syncboard create-token`,
--parallel calls at once). Then the benchmark waits until every job's first run has succeeded and every source has
an open push channel, and runs the scenarios:

  wave    one change (a rename) in every source at once through the emulator's control API;
  steady  --rate changes a second for --seconds seconds, each in a random source (an event with no change still
          on its way, so that no change is overwritten before it arrives).

A change's latency is its copy's `updated` minus the original's `updated`, both stamped by the emulator's clock.
Per scenario: p50/p99/max, the time until all arrived (wave: the last copy's `updated` minus the first change's),
the Calendar API calls, the highest number of calls any one account made in any 60-second window (the emulator's
request log names the caller; its `at` has whole seconds, so windows are counted from whole seconds) against
Google's 600 requests a minute per user, and CPU seconds (utime + stime over the scenario) and peak RSS (VmHWM,
since the process started) of each Syncboard process.

Prints one summary line per scenario on stdout and, with --rows FILE, appends each as a JSON line for --table.
"""
import argparse, concurrent.futures, http.cookiejar, json, math, os, random, re, sqlite3, subprocess, sys, tempfile, threading, time
import urllib.parse, urllib.request
from datetime import datetime, timezone

parser = argparse.ArgumentParser()
parser.add_argument("--bin", help="directory with the syncboard and google-emulator binaries")
parser.add_argument("--setup", choices=["sqlite", "postgres"], default="sqlite")
parser.add_argument("--jobs", type=int, default=50, help="N real-time jobs")
parser.add_argument("--scenarios", default="wave,steady", help="wave, steady or both (comma-separated)")
parser.add_argument("--events", type=int, default=5, help="events in each source calendar")
parser.add_argument("--layout", choices=["cross", "same"], default="cross")
parser.add_argument("--latency-ms", type=int, default=20)
parser.add_argument("--rate", type=float, default=2.0, help="steady: changes a second")
parser.add_argument("--seconds", type=int, default=60, help="steady: how long")
parser.add_argument("--parallel", type=int, default=8, help="API calls at once while making the jobs")
parser.add_argument("--admin-url", help="postgres: the admin URL (scripts/test-postgres start prints it)")
parser.add_argument("--app-port", type=int, default=18480)
parser.add_argument("--emulator-port", type=int, default=18490)
parser.add_argument("--rows", help="append each scenario's figures to this file as a JSON line")
parser.add_argument("--log-level", default="warning", help="Syncboard's SYNCBOARD_LOG_LEVEL (trace shows every SQL statement)")
parser.add_argument("--commit", default="", help="the commit the binaries were built from (recorded with the figures)")
parser.add_argument("--table", help="print the markdown table of the rows in this file and exit")
args = parser.parse_args()

APP = f"http://127.0.0.1:{args.app_port}"
EMULATOR = f"http://127.0.0.1:{args.emulator_port}"
CLIENT, SECRET = "syncboard-benchmark.apps.example", "benchmark-secret"
PEOPLE = 5
QUOTA = 600  # Google Calendar API: requests per minute per user per project
SCENARIOS = [s for s in args.scenarios.split(",") if s]


def log(line):
    print(f"wave: {line}", file=sys.stderr, flush=True)


# --- the markdown table ------------------------------------------------------------------------------------------

def fmt_s(value):
    return "–" if value is None else (f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s")


def table(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    print("| setup | jobs | scenario | changes arrived | push notifications answered | p50 | p99 | max | all arrived after | Calendar API calls | "
          "max calls by one account in 60 s (quota 600) | CPU s per process (per 1,000 jobs) | peak RSS per process | load avg | commit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cpu = ", ".join(f"{name} {p['cpu']:.1f} ({p['cpu'] * 1000 / r['jobs']:,.0f})" for name, p in r["processes"].items())
        rss = ", ".join(f"{name} {p['hwm_mb']:,.0f} MB" for name, p in r["processes"].items())
        load = f"{r['load'][0]:.1f}" if "load" in r else "–"
        answered = f"{r['notifications_answered']:,}/{r['notifications']:,}" if "notifications" in r else "–"
        print(f"| {r['setup_label']} | {r['jobs']:,} | {r['scenario_label']} | {r['arrived']:,}/{r['changes']:,} | {answered} | {fmt_s(r['p50'])} | "
              f"{fmt_s(r['p99'])} | {fmt_s(r['max'])} | {fmt_s(r['all_arrived'])} | {r['calls']:,} | {r['max_user_60s']:,} |"
              f" {cpu} | {rss} | {load} | {r['commit'].split(' ')[0]} |")


if args.table:
    table(args.table)
    sys.exit(0)
if not args.bin:
    parser.error("--bin is required")


# --- helpers ------------------------------------------------------------------------------------------------------

def wait_for(what, condition, timeout, every=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"wave: not within {timeout:.0f} s: {what}")


def request(opener, url, data=None, method=None, headers=None, timeout=60):
    body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with opener.open(req, timeout=timeout) as response:
        return response.geturl(), response.read().decode()


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(EMULATOR + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def api(token, method, path, body=None):
    """A JSON API call with a personal access token; a 429 is waited out (bounded) as its Retry-After says."""
    for attempt in range(10):
        req = urllib.request.Request(APP + "/api/v1" + path, data=json.dumps(body).encode() if body is not None else None, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code == 429 and attempt < 9:
                time.sleep(min(30, float(error.headers.get("Retry-After") or 5)))
                continue
            raise SystemExit(f"wave: {method} /api/v1{path} answered {error.code}: {error.read().decode()[:500]}")


def up(url):
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except Exception:
        return False


def choose(opener, page, email):
    """Answers the emulator's account chooser on `page` as `email`; returns the page Syncboard lands on."""
    found = re.search(r'name="request" value="([^"]+)"', page)
    if not found:
        return page
    return request(opener, EMULATOR + "/o/oauth2/v2/auth/decision", {"request": found.group(1), "action": "allow", "account": email})[1]


def csrf(page):
    return re.search(r'name="_csrf" value="([^"]+)"', page).group(1)


def parse_time(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def percentiles(values):
    ordered = sorted(values)
    rank = lambda p: ordered[max(0, math.ceil(p * len(ordered)) - 1)]
    return rank(0.50), rank(0.99), ordered[-1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def hwm_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def max_per_user_window(calls, window=60):
    """The most calls one account made within any `window` seconds (timestamps in whole seconds), and whose."""
    by_user = {}
    for call in calls:
        by_user.setdefault(call.get("email") or "(no account)", []).append(parse_time(call["at"]))
    best, who = 0, None
    for user, stamps in by_user.items():
        stamps.sort()
        first = 0
        for last in range(len(stamps)):
            while stamps[last] - stamps[first] >= window:
                first += 1
            if last - first + 1 > best:
                best, who = last - first + 1, user
    return best, who


def calendar_calls():
    return control("GET", "/emulator/requests?pathPrefix=/calendar/v3/")["requests"]


# --- the world ----------------------------------------------------------------------------------------------------

def account_emails():
    return [f"a{u}@example.com" for u in range(PEOPLE)], [f"b{u}@example.org" for u in range(PEOPLE)]


def job_accounts(j):
    """(person, source account, destination account) of job j."""
    firsts, seconds = account_emails()
    u = j % PEOPLE
    if args.layout == "same":
        owner = (firsts + seconds)[j % (2 * PEOPLE)]
        return (u if owner in firsts else (firsts + seconds).index(owner) - PEOPLE), owner, owner
    return (u, firsts[u], seconds[u]) if (j // PEOPLE) % 2 == 0 else (u, seconds[u], firsts[u])


def source_id(j):
    return f"src-{j}@group.calendar.google.com"


def destination_id(j):
    return f"dst-{j}@group.calendar.google.com"


def seed(path):
    start = time.time() - time.time() % 86400 + 86400  # tomorrow 00:00 UTC, within the default window
    iso = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    firsts, seconds = account_emails()
    accounts = [{"subject": str(4000 + i), "email": email, "name": email.split("@")[0]} for i, email in enumerate(firsts + seconds)]
    calendars, events = [], {}
    for j in range(args.jobs):
        _, source, destination = job_accounts(j)
        calendars.append({"id": source_id(j), "summary": f"Source {j}", "roles": {source: "owner"}})
        calendars.append({"id": destination_id(j), "summary": f"Destination {j}", "roles": {destination: "owner"}})
        events[source_id(j)] = [{"summary": f"Job {j} event {i}", "start": {"dateTime": iso(start + (j % 20) * 86400 + 8 * 3600 + i * 3600)},
                                 "end": {"dateTime": iso(start + (j % 20) * 86400 + 8 * 3600 + i * 3600 + 1800)}} for i in range(args.events)]
    with open(path, "w") as file:
        json.dump({"accounts": accounts, "calendars": calendars, "events": events,
                   "clients": [{"clientID": CLIENT, "clientSecret": SECRET, "redirectURIs": [f"{APP}/auth/google/callback"]}]}, file)


# --- the database -------------------------------------------------------------------------------------------------

class Database:
    def __init__(self, work):
        self.work, self.url, self.name = work, None, None

    def create(self):
        if args.setup != "postgres":
            return
        self.name = f"sb_wave_{os.getpid()}"
        subprocess.run(["psql", args.admin_url, "-qc", f"DROP DATABASE IF EXISTS {self.name}"], check=True)
        subprocess.run(["psql", args.admin_url, "-qc", f"CREATE DATABASE {self.name}"], check=True)
        self.url = args.admin_url.rsplit("/", 1)[0] + "/" + self.name

    def drop(self):
        if self.name:
            subprocess.run(["psql", args.admin_url, "-qc", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"], check=False)

    def rows(self, sql):
        if args.setup == "postgres":
            out = subprocess.run(["psql", self.url, "-tA", "-F", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
            return [line.split("\t") for line in out.splitlines() if line]
        with sqlite3.connect(f"file:{self.work}/data/syncboard.sqlite?mode=ro", uri=True, timeout=30) as db:
            return [[str(v) for v in row] for row in db.execute(sql)]

    def runs_by_worker(self):
        return {worker: int(count) for worker, count in self.rows("SELECT coalesce(worker_id, '-'), count(*) FROM job_runs GROUP BY 1")}

    def run_counts(self):
        """(jobs with a succeeded run, failed runs, all runs)."""
        row = self.rows("SELECT count(DISTINCT CASE WHEN status = 'succeeded' THEN job_id END), "
                        "count(CASE WHEN status = 'failed' THEN 1 END), count(*) FROM job_runs")[0]
        return tuple(int(v) for v in row)


# --- the run ------------------------------------------------------------------------------------------------------

def main():
    work = tempfile.mkdtemp(prefix="syncboard-wave.")
    seed(f"{work}/seed.json")
    database = Database(work)
    processes = {}  # name → Popen (Syncboard's processes)
    children = []
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SYNCBOARD_ENCRYPTION_KEYS")}
    env.update({
        "SYNCBOARD_DATA_DIR": f"{work}/data", "SYNCBOARD_BASE_URL": APP, "GOOGLE_CLIENT_ID": CLIENT, "GOOGLE_CLIENT_SECRET": SECRET,
        "SYNCBOARD_GOOGLE_ISSUER": EMULATOR, "SYNCBOARD_GOOGLE_AUTHORIZATION_URL": f"{EMULATOR}/o/oauth2/v2/auth",
        "SYNCBOARD_GOOGLE_TOKEN_URL": f"{EMULATOR}/token", "SYNCBOARD_GOOGLE_REVOCATION_URL": f"{EMULATOR}/revoke",
        "SYNCBOARD_GOOGLE_USERINFO_URL": f"{EMULATOR}/v1/userinfo", "SYNCBOARD_GOOGLE_JWKS_URL": f"{EMULATOR}/oauth2/v3/certs",
        "SYNCBOARD_GOOGLE_CALENDAR_API_URL": f"{EMULATOR}/calendar/v3",
        # Push over plain http (the emulator's flag below); everything else at its default.
        "SYNCBOARD_ENGINE": "builtin", "SYNCBOARD_PUSH": "on", "SYNCBOARD_LOG_LEVEL": args.log_level,
    })
    began = time.time()
    try:
        database.create()
        if database.url:
            env["DATABASE_URL"] = database.url
            env["SYNCBOARD_ENCRYPTION_KEYS"] = "bench:" + __import__("base64").b64encode(os.urandom(32)).decode()
            subprocess.run([f"{args.bin}/syncboard", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        children.append(subprocess.Popen([f"{args.bin}/google-emulator", "--port", str(args.emulator_port), "--seed", f"{work}/seed.json",
                                          "--allow-http-notifications"], stdout=open(f"{work}/emulator.log", "w"), stderr=subprocess.STDOUT))
        emulator = children[-1]
        wait_for("the emulator", lambda: up(EMULATOR + "/.well-known/openid-configuration"), 60)
        control("PUT", "/emulator/latency", {"milliseconds": args.latency_ms})
        serve = subprocess.Popen([f"{args.bin}/syncboard", "serve", "--port", str(args.app_port)], env=env,
                                 stdout=open(f"{work}/serve.log", "w"), stderr=subprocess.STDOUT)
        children.append(serve)
        processes["serve"] = serve
        if args.setup == "postgres":
            for number in (1, 2):
                worker = subprocess.Popen([f"{args.bin}/syncboard", "worker"], env=env, stdout=open(f"{work}/worker{number}.log", "w"),
                                          stderr=subprocess.STDOUT)
                children.append(worker)
                processes[f"worker{number}"] = worker
        wait_for("syncboard", lambda: up(APP + "/readyz"), 120)

        # Five people sign in and each links a second account, over HTTP as a browser would.
        firsts, seconds = account_emails()
        tokens = []
        for u in range(PEOPLE):
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            choose(opener, request(opener, APP + "/auth/google")[1], firsts[u])
            accounts = request(opener, APP + "/accounts")[1]
            choose(opener, request(opener, APP + "/accounts/link", {"_csrf": csrf(accounts)})[1], seconds[u])
            token = subprocess.run([f"{args.bin}/syncboard", "create-token", "--user-email", firsts[u], "--scope", "read-write",
                                    "--name", "realtime-wave"], env=env, check=True, capture_output=True, text=True).stdout.strip().split()[-1]
            tokens.append(token)
        calendar_ids = {}  # Google id → Syncboard id
        for u in range(PEOPLE):
            linked = api(tokens[u], "GET", "/accounts")
            if len(linked) != 2:
                raise SystemExit(f"wave: {firsts[u]} has {len(linked)} linked accounts, not 2")
            for account in linked:
                for calendar in account["calendars"]:
                    calendar_ids[calendar["googleId"]] = calendar["id"]
        missing = [j for j in range(args.jobs) if source_id(j) not in calendar_ids or destination_id(j) not in calendar_ids]
        if missing:
            raise SystemExit(f"wave: {len(missing)} jobs' calendars were not discovered (e.g. job {missing[0]})")

        made = time.time()
        def create(j):
            u = job_accounts(j)[0]
            return api(tokens[u], "POST", "/jobs", {"name": f"Job {j}", "sourceCalendarId": calendar_ids[source_id(j)],
                                                    "destinationCalendarId": calendar_ids[destination_id(j)],
                                                    "transformers": [{"name": "KeepTitle"}], "cadence": {"kind": "realtime"}})
        with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
            list(pool.map(create, range(args.jobs)))
        create_seconds = time.time() - made
        log(f"{args.jobs} jobs made in {create_seconds:.1f} s ({args.setup}, layout {args.layout}, {args.latency_ms} ms per call)")

        def first_runs():
            done, failed, _ = database.run_counts()
            return done >= args.jobs
        wait_for("every job's first run", first_runs, timeout=300 + args.jobs * 2, every=2)
        sources = {source_id(j) for j in range(args.jobs)}
        def channels_open():
            return sources <= {c["calendarID"] for c in control("GET", "/emulator/channels")["items"] if not c["stopped"]}
        wait_for("a push channel on every source", channels_open, timeout=300 + args.jobs, every=2)
        _, failed_first, runs_first = database.run_counts()
        first_runs_seconds = time.time() - made
        time.sleep(3)  # the last runs end, the channels' sync messages are handled
        setup_calls = calendar_calls()
        setup_quota, setup_who = max_per_user_window(setup_calls)
        log(f"first runs done and {len(sources)} channels open {time.time() - made:.1f} s after the jobs were made: {runs_first} runs "
            f"({failed_first} failed), {len(setup_calls)} Calendar API calls, at most {setup_quota} by one account in 60 s ({setup_who})")

        originals = {}  # job → its events (id, summary), in order
        for j in range(args.jobs):
            items = [e for e in control("GET", f"/emulator/calendars/{source_id(j)}/events")["items"] if e.get("status") != "cancelled"]
            originals[j] = sorted((e["id"] for e in items), key=lambda i: i)

        def copies(j):
            return {e.get("summary"): e for e in control("GET", f"/emulator/calendars/{destination_id(j)}/events")["items"]
                    if e.get("status") != "cancelled"}

        commit = args.commit or subprocess.run(["git", "log", "--oneline", "-1", "--format=%h"], capture_output=True, text=True).stdout.strip()
        for scenario in SCENARIOS:
            control("DELETE", "/emulator/requests")
            control("DELETE", "/emulator/notifications")
            _, failed_before, runs_before = database.run_counts()
            workers_before = database.runs_by_worker()
            cpu_before = {name: cpu_seconds(p.pid) for name, p in processes.items()}
            cpu_emulator = cpu_seconds(emulator.pid)
            started = time.time()
            if scenario == "wave":
                samples, changes = wave(originals, copies)
            else:
                samples, changes = steady(originals, copies)
            elapsed = time.time() - started
            time.sleep(1)
            calls = calendar_calls()
            _, failed_after, runs_after = database.run_counts()
            by_worker = {w: c - workers_before.get(w, 0) for w, c in database.runs_by_worker().items() if c > workers_before.get(w, 0)}
            by_process = {name: sum(c for w, c in by_worker.items() if f"-{p.pid}-" in w) for name, p in processes.items()}
            quota, who = max_per_user_window(calls)
            # Google's `exists` messages and what Syncboard answered: a status, or none when the emulator gave up
            # (it waits 5 s for one of its connections to the receiver and 10 s for the answer, and does not retry).
            notices = [d for d in control("GET", "/emulator/notifications")["items"] if d["state"] == "exists"]
            answered = sum(1 for d in notices if d.get("status") is not None and 200 <= d["status"] < 300)
            figures = {name: {"cpu": cpu_seconds(p.pid) - cpu_before[name], "hwm_mb": hwm_mb(p.pid)} for name, p in processes.items()}
            latencies = [written - changed for changed, written in samples]
            p50, p99, top = percentiles(latencies) if latencies else (None, None, None)
            all_arrived = (max(w for _, w in samples) - min(c for c, _ in samples)) if samples else None
            errors = sum(1 for c in calls if c["status"] >= 400)
            by_method = {}
            for call in calls:
                by_method[call["method"]] = by_method.get(call["method"], 0) + 1
            row = {"setup": args.setup, "jobs": args.jobs, "scenario": scenario, "layout": args.layout, "latency_ms": args.latency_ms,
                   "setup_label": "SQLite, serve" if args.setup == "sqlite" else "PostgreSQL, serve + 2 workers",
                   "scenario_label": "wave" if scenario == "wave" else f"steady {args.rate:g}/s for {args.seconds} s",
                   "changes": changes, "arrived": len(samples), "p50": p50, "p99": p99, "max": top, "all_arrived": all_arrived,
                   "calls": len(calls), "calls_by_method": by_method, "call_errors": errors, "max_user_60s": quota, "max_user": who,
                   "notifications": len(notices), "notifications_answered": answered, "runs": runs_after - runs_before, "runs_by_process": by_process, "failed_runs": failed_after - failed_before, "processes": figures,
                   "emulator_cpu": cpu_seconds(emulator.pid) - cpu_emulator, "elapsed": elapsed,
                   "setup_calls": len(setup_calls), "setup_max_user_60s": setup_quota, "setup_max_user": setup_who,
                   "create_seconds": create_seconds, "first_runs_seconds": first_runs_seconds, "commit": commit,
                   "load": [round(v, 2) for v in os.getloadavg()], "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
            cpu = " ".join(f"{n}={p['cpu']:.1f}s({p['cpu'] * 1000 / args.jobs:,.0f}/1000jobs),hwm={p['hwm_mb']:.0f}MB" for n, p in figures.items())
            print(f"setup={args.setup} jobs={args.jobs} scenario={scenario} arrived={len(samples)}/{changes} p50={fmt_s(p50)} p99={fmt_s(p99)} "
                  f"max={fmt_s(top)} all-arrived={fmt_s(all_arrived)} calls={len(calls)} ({', '.join(f'{k} {v}' for k, v in sorted(by_method.items()))}; "
                  f"{errors} errors) notifications={answered}/{len(notices)}-answered max-calls-one-account-60s={quota}/{QUOTA} runs={row['runs']} ({', '.join(f'{k} {v}' for k, v in by_process.items())}) failed-runs={row['failed_runs']} cpu: {cpu} "
                  f"emulator-cpu={row['emulator_cpu']:.1f}s load={row['load'][0]:.1f} commit=\"{commit}\"", flush=True)
            if args.rows:
                with open(args.rows, "a") as file:
                    file.write(json.dumps(row) + "\n")
            time.sleep(5)  # the runs of the last changes end before the next scenario
    finally:
        for child in reversed(children):
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        database.drop()
        log(f"logs in {work} ({time.time() - began:.0f} s in all)")


def wave(originals, copies):
    """One rename in every source at once; waits (bounded) for every copy. Returns [(changed, written)], changes."""
    n = len(originals)
    def change(j):
        title = f"Job {j} wave"
        changed = control("PATCH", f"/emulator/calendars/{source_id(j)}/events/{originals[j][0]}", {"summary": title})
        return j, title, parse_time(changed["updated"])
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        made = list(pool.map(change, range(n)))
    log(f"wave: {n} changes made in {max(c for _, _, c in made) - min(c for _, _, c in made):.2f} s (emulator clock)")
    # The copies' writes show in the request log (PUT to the destination); once every destination has one, or time is
    # up, each destination is read once.
    targets = {destination_id(j) for j in range(n)}
    deadline = time.time() + 120 + n * 0.5
    while time.time() < deadline:
        written = {urllib.parse.unquote(r["path"]).split("/")[4] for r in
                   control("GET", "/emulator/requests?method=PUT&pathPrefix=/calendar/v3/calendars/")["requests"] if r["status"] < 300}
        if targets <= written:
            break
        time.sleep(0.5)
    def arrived(item):
        j, title, changed = item
        copy = copies(j).get(title)
        return (changed, parse_time(copy["updated"])) if copy else None
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        samples = [s for s in pool.map(arrived, made) if s]
    if len(samples) < n:
        log(f"wave: only {len(samples)} of {n} changes arrived")
    return samples, n


def steady(originals, copies):
    """args.rate renames a second for args.seconds in random sources; each watched until its copy shows (bounded)."""
    rng = random.Random(30)
    pending = {}  # (job, event index) → (title, changed)
    samples, lock, stop = [], threading.Lock(), threading.Event()

    def watch():
        while not stop.is_set() or (pending and time.time() < give_up[0]):
            with lock:
                jobs = {j for j, _ in pending}
            for j in jobs:
                found = copies(j)
                with lock:
                    for key in [k for k in pending if k[0] == j]:
                        title, changed = pending[key]
                        if changed is not None and title in found:
                            samples.append((changed, parse_time(found[title]["updated"])))
                            del pending[key]
            time.sleep(0.1)

    give_up = [float("inf")]
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    total, skipped = int(args.rate * args.seconds), 0
    start = time.time()
    for number in range(total):
        time.sleep(max(0.0, start + number / args.rate - time.time()))
        with lock:
            choice = None
            for _ in range(50):
                j = rng.randrange(len(originals))
                free = [i for i in range(len(originals[j])) if (j, i) not in pending]
                if free:
                    choice = (j, rng.choice(free))
                    break
        if choice is None:
            skipped += 1
            continue
        j, i = choice
        title = f"Job {j} event {i} steady {number}"
        with lock:  # registered before the change is made, so the watcher cannot miss it
            pending[(j, i)] = (title, None)
        changed = control("PATCH", f"/emulator/calendars/{source_id(j)}/events/{originals[j][i]}", {"summary": title})
        with lock:
            pending[(j, i)] = (title, parse_time(changed["updated"]))
    give_up[0] = time.time() + 120
    stop.set()
    watcher.join(timeout=150)
    with lock:
        lost = len(pending)
        result = [(c, w) for c, w in samples if c is not None]
    if lost or skipped:
        log(f"steady: {lost} changes did not arrive within 120 s, {skipped} skipped (no source without a change on its way)")
    return result, total - skipped


if __name__ == "__main__":
    main()
