#!/usr/bin/env python3
"""Propagation latency of a real-time job, end to end: the google-emulator binary (every Calendar API call delayed
by --latency-ms, push notifications delivered over plain http) and `syncboard serve` (SQLite, the built-in engine,
SYNCBOARD_PUSH=on, every other setting at its default). Alice signs in and links Bob over HTTP (the emulator's
account chooser), creates a real-time job Work → Home in the job form; once its first run has copied the calendar
and Google's channel is open, --changes events are renamed one by one on Google's side (the control API), each
waited for in the destination before the next.

Push: measured. A change's latency is its copy's `updated` minus the original's `updated`, both stamped by the
emulator's clock as Google stamps them, so the script's own polling adds nothing to the figure.

Polling and the 15-minute cadence: computed from the schedule, not waited for (200 changes at one per 15 minutes
would take two days). A change lands at a uniformly random point of the interval, so it waits for the next check
between 0 and the whole interval: the n changes are given waits spread evenly over the interval ((k + 0.5) / n of
it), each added to a run latency measured in this same run (the push runs' copy written minus the time the job
was made due: the scheduler's claim and the incremental run up to the write, what a scheduled check costs too).

--provider microsoft: the same measure with an Outlook source (issue 28 §4): the microsoft-emulator binary as well
(Graph calls delayed by --latency-ms too, change notifications delivered over plain http), Alice links Ada's
Microsoft account (the emulator's consent page), the job copies Ada's Outlook Work calendar into Alice's Google Home
calendar in real time, and each change is a rename on Outlook's side. Graph stamps lastModifiedDateTime in whole
seconds, so a change's moment is taken by this script's clock (the same machine's) just before its control call.

Started by benchmarks/realtime.sh; prints one summary line per mode.
"""
import argparse, http.cookiejar, json, math, os, re, sqlite3, subprocess, sys, tempfile, time, urllib.parse, urllib.request
from datetime import datetime, timezone

parser = argparse.ArgumentParser()
parser.add_argument("--bin", required=True, help="directory with the syncboard and google-emulator binaries")
parser.add_argument("--changes", type=int, default=200)
parser.add_argument("--events", type=int, default=200, help="events in the source calendar")
parser.add_argument("--latency-ms", type=int, default=20)
parser.add_argument("--poll-seconds", type=int, default=60)
parser.add_argument("--cadence-seconds", type=int, default=900)
parser.add_argument("--app-port", type=int, default=18380)
parser.add_argument("--emulator-port", type=int, default=18390)
parser.add_argument("--provider", choices=("google", "microsoft"), default="google", help="the source calendar's provider")
args = parser.parse_args()
OUTLOOK = args.provider == "microsoft"

APP = f"http://127.0.0.1:{args.app_port}"
EMULATOR = f"http://127.0.0.1:{args.emulator_port}"
WORK, HOME = "work-alice@group.calendar.google.com", "home-bob@group.calendar.google.com"
CLIENT, SECRET = "syncboard-benchmark.apps.example", "benchmark-secret"
MICROSOFT = f"http://127.0.0.1:{args.emulator_port + 1}"
MS_CLIENT, MS_SECRET, ADA, OUTLOOK_WORK = "syncboard-benchmark-microsoft", "benchmark-microsoft-secret", "ada@contoso.example", "AAMkBenchWork"


def log(line):
    print(f"realtime: {line}", file=sys.stderr, flush=True)


def seed(path):
    start = time.time() - time.time() % 86400 + 86400  # tomorrow 00:00 UTC, within the default window
    iso = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    at = lambda i: start + (i // 8) * 86400 + 8 * 3600 + (i % 8) * 3600
    events = [{"summary": f"Meeting {i}", "start": {"dateTime": iso(at(i))}, "end": {"dateTime": iso(at(i) + 1800)}} for i in range(args.events)]
    if OUTLOOK:
        # Ada's Outlook Work calendar holds the events; Alice's Google Home calendar receives them.
        graph_time = lambda t: {"dateTime": iso(t)[:-1], "timeZone": "UTC"}
        with open(path.replace(".json", "-microsoft.json"), "w") as file:
            json.dump({
                "accounts": [{"oid": "00000000-0000-0000-0000-0000000000a1", "tenantID": "11111111-2222-3333-4444-555555555555",
                              "email": ADA, "name": "Ada"}],
                "clients": [{"clientID": MS_CLIENT, "clientSecret": MS_SECRET, "redirectURIs": [f"{APP}/auth/microsoft/callback"]}],
                "calendars": [{"id": OUTLOOK_WORK, "name": "Work", "owner": ADA, "isDefaultCalendar": True}],
                "events": {OUTLOOK_WORK: [{"subject": f"Meeting {i}", "start": graph_time(at(i)), "end": graph_time(at(i) + 1800)}
                                          for i in range(args.events)]},
            }, file)
        with open(path, "w") as file:
            json.dump({
                "accounts": [{"subject": "3001", "email": "alice@example.com", "name": "Alice"}],
                "clients": [{"clientID": CLIENT, "clientSecret": SECRET, "redirectURIs": [f"{APP}/auth/google/callback"]}],
                "calendars": [{"id": HOME, "summary": "Home", "roles": {"alice@example.com": "owner"}}],
            }, file)
        return
    with open(path, "w") as file:
        json.dump({
            "accounts": [{"subject": "3001", "email": "alice@example.com", "name": "Alice"},
                         {"subject": "3002", "email": "bob@example.org", "name": "Bob"}],
            "clients": [{"clientID": CLIENT, "clientSecret": SECRET, "redirectURIs": [f"{APP}/auth/google/callback"]}],
            "calendars": [{"id": WORK, "summary": "Work", "roles": {"alice@example.com": "owner"}},
                          {"id": HOME, "summary": "Home", "roles": {"bob@example.org": "owner"}}],
            "events": {WORK: events},
        }, file)


def wait_for(what, condition, timeout=120, every=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"realtime: not within {timeout} s: {what}")


def request(opener, url, data=None, method=None):
    body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
    req = urllib.request.Request(url, data=body, method=method)
    with opener.open(req, timeout=30) as response:
        return response.geturl(), response.read().decode()


def control(method, path, body=None, base=EMULATOR):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


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
        return page  # approved silently
    return request(opener, EMULATOR + "/o/oauth2/v2/auth/decision", {"request": found.group(1), "action": "allow", "account": email})[1]


def consent(opener, page, email):
    """Answers the Microsoft emulator's consent page as `email`; returns the page Syncboard lands on."""
    found = re.search(r'name="request" value="([^"]+)"', page)
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    if not found or not action:
        raise SystemExit(f"realtime: no Microsoft consent page: {re.sub('<[^>]+>', ' ', page)[:400]}")
    return request(opener, MICROSOFT + action.group(1), {"request": found.group(1), "action": "accept", "account": email})[1]


def microsoft(method, path, body=None):
    return control(method, path, body, base=MICROSOFT)


def csrf(page):
    return re.search(r'name="_csrf" value="([^"]+)"', page).group(1)


def parse_time(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def percentiles(values):
    ordered = sorted(values)
    rank = lambda p: ordered[max(0, math.ceil(p * len(ordered)) - 1)]
    return rank(0.50), rank(0.99), ordered[-1]


def main():
    work = tempfile.mkdtemp(prefix="syncboard-realtime.")
    seed(f"{work}/seed.json")
    children = []
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SYNCBOARD_ENCRYPTION_KEYS")}
    env.update({
        "SYNCBOARD_DATA_DIR": f"{work}/data", "SYNCBOARD_BASE_URL": APP, "GOOGLE_CLIENT_ID": CLIENT, "GOOGLE_CLIENT_SECRET": SECRET,
        "SYNCBOARD_GOOGLE_ISSUER": EMULATOR, "SYNCBOARD_GOOGLE_AUTHORIZATION_URL": f"{EMULATOR}/o/oauth2/v2/auth",
        "SYNCBOARD_GOOGLE_TOKEN_URL": f"{EMULATOR}/token", "SYNCBOARD_GOOGLE_REVOCATION_URL": f"{EMULATOR}/revoke",
        "SYNCBOARD_GOOGLE_USERINFO_URL": f"{EMULATOR}/v1/userinfo", "SYNCBOARD_GOOGLE_JWKS_URL": f"{EMULATOR}/oauth2/v3/certs",
        "SYNCBOARD_GOOGLE_CALENDAR_API_URL": f"{EMULATOR}/calendar/v3",
        # Push over plain http (the emulator's flag below); everything else at its default.
        "SYNCBOARD_ENGINE": "builtin", "SYNCBOARD_PUSH": "on", "SYNCBOARD_LOG_LEVEL": "warning",
    })
    if OUTLOOK:
        env.update({"SYNCBOARD_MICROSOFT_CLIENT_ID": MS_CLIENT, "SYNCBOARD_MICROSOFT_CLIENT_SECRET": MS_SECRET,
                    "SYNCBOARD_MICROSOFT_AUTHORITY_URL": MICROSOFT, "SYNCBOARD_MICROSOFT_GRAPH_URL": f"{MICROSOFT}/v1.0"})
    try:
        children.append(subprocess.Popen([f"{args.bin}/google-emulator", "--port", str(args.emulator_port), "--seed", f"{work}/seed.json",
                                          "--allow-http-notifications"], stdout=open(f"{work}/emulator.log", "w"), stderr=subprocess.STDOUT))
        if OUTLOOK:
            children.append(subprocess.Popen([f"{args.bin}/microsoft-emulator", "--port", str(args.emulator_port + 1), "--seed",
                                              f"{work}/seed-microsoft.json", "--allow-http-notifications"],
                                             stdout=open(f"{work}/microsoft-emulator.log", "w"), stderr=subprocess.STDOUT))
            wait_for("the Microsoft emulator", lambda: up(MICROSOFT + "/common/v2.0/.well-known/openid-configuration"))
        children.append(subprocess.Popen([f"{args.bin}/syncboard", "serve", "--port", str(args.app_port)], env=env,
                                         stdout=open(f"{work}/syncboard.log", "w"), stderr=subprocess.STDOUT))
        wait_for("the emulator", lambda: up(EMULATOR + "/.well-known/openid-configuration"))
        wait_for("syncboard", lambda: up(APP + "/readyz"))

        # Alice signs in, links Bob (or Ada's Microsoft account), and makes the real-time job in the form, as a browser would.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        choose(opener, request(opener, APP + "/auth/google")[1], "alice@example.com")
        accounts = request(opener, APP + "/accounts")[1]
        if OUTLOOK:
            consent(opener, request(opener, APP + "/accounts/link/microsoft", {"_csrf": csrf(accounts)})[1], ADA)
        else:
            choose(opener, request(opener, APP + "/accounts/link", {"_csrf": csrf(accounts)})[1], "bob@example.org")
        form = request(opener, APP + "/jobs/new")[1]
        options = {label.strip(): value for value, label in re.findall(r'<option value="([0-9A-Fa-f-]{36})"[^>]*>([^<]*)</option>', form)}
        source = next(v for k, v in options.items() if k.startswith("Work"))
        destination = next(v for k, v in options.items() if k.startswith("Home"))
        landed, page = request(opener, APP + "/jobs", {
            "_csrf": csrf(form), "name": "Work → Home, in real time", "source": source, "destination": destination, "t.KeepTitle": "on",
            "cadence": "realtime", "windowStart": "MonthStart", "windowStartOffset": "-1", "windowEnd": "MonthEnd", "windowEndOffset": "1",
            "timeZone": "UTC", "updateConcurrency": "1"})
        if "/jobs/new" in landed or "form-errors" in page:
            raise SystemExit(f"realtime: the job form refused the job: {re.sub('<[^>]+>', ' ', page)[:800]}")
        database = f"{work}/data/syncboard.sqlite"

        def copies():
            return {e.get("summary"): e for e in control("GET", f"/emulator/calendars/{HOME}/events")["items"] if e.get("status") != "cancelled"}
        wait_for("the first run's copies", lambda: len(copies()) == args.events, timeout=300, every=0.5)
        if OUTLOOK:
            wait_for("Graph's subscription on the source", lambda: any(OUTLOOK_WORK in s["resource"] for s in microsoft("GET", "/emulator/subscriptions")["value"]))
            time.sleep(2)  # the first run ends, and the run the subscription's creation starts finds nothing to do
            microsoft("PUT", "/emulator/latency", {"milliseconds": args.latency_ms})
            originals = sorted(microsoft("GET", f"/emulator/calendars/{OUTLOOK_WORK}/events")["value"], key=lambda e: e["start"]["dateTime"])
        else:
            wait_for("Google's channel on the source", lambda: any(c["calendarID"] == WORK and not c["stopped"]
                                                                   for c in control("GET", "/emulator/channels")["items"]))
            time.sleep(2)  # the first run ends and the channel's sync message is handled
            originals = sorted((e for e in control("GET", f"/emulator/calendars/{WORK}/events")["items"] if e.get("status") != "cancelled"),
                               key=lambda e: e["start"]["dateTime"])
        control("PUT", "/emulator/latency", {"milliseconds": args.latency_ms})
        log(f"{len(originals)} events copied, {'subscription' if OUTLOOK else 'channel'} open; {args.changes} changes, one at a time, "
            f"{args.latency_ms} ms per {'Graph and ' if OUTLOOK else ''}Calendar API call")

        control("DELETE", "/emulator/requests")
        if OUTLOOK:
            microsoft("DELETE", "/emulator/requests")
        samples = []  # (change's updated, copy's updated)
        for number in range(args.changes):
            original = originals[number % len(originals)]
            title = f"Meeting {number % len(originals)} (change {number + 1})"
            if OUTLOOK:
                before = time.time()
                microsoft("PATCH", f"/emulator/events/{original['id']}", {"subject": title})
                changed_at = before
            else:
                changed_at = parse_time(control("PATCH", f"/emulator/calendars/{WORK}/events/{original['id']}", {"summary": title})["updated"])
            copy = wait_for(f"change {number + 1} in the destination", lambda: copies().get(title), timeout=120, every=0.05)
            samples.append((changed_at, parse_time(copy["updated"])))
            time.sleep(0.5)  # one by one: the run that wrote this copy ends before the next change
        push = [written - changed for changed, written in samples]

        # The runs that wrote the copies: from the moment the job was made due to the copy written.
        with sqlite3.connect(database) as db:
            runs = [(parse_time(due), parse_time(started), parse_time(finished)) for due, started, finished in db.execute(
                "SELECT scheduled_for, started_at, finished_at FROM job_runs WHERE updated_count > 0 AND status = 'succeeded'")]
        run_latency = []
        for changed, written in samples:
            run = next((r for r in runs if r[1] is not None and r[1] - 0.05 <= written <= (r[2] or written) + 0.05), None)
            if run:
                run_latency.append(written - (run[0] or run[1]))
        if len(run_latency) < len(samples) * 0.9:
            raise SystemExit(f"realtime: only {len(run_latency)} of {len(samples)} copies matched a run in job_runs")

        def modelled(interval):
            n = len(run_latency)
            return [interval * (k + 0.5) / n + latency for k, latency in enumerate(run_latency)]

        ms = lambda values: " ".join(f"{name} {value * 1000:,.0f} ms" if value < 10 else f"{name} {value:,.1f} s"
                                     for name, value in zip(("p50", "p99", "max"), percentiles(values)))
        print(f"propagation provider={args.provider} events={len(originals)} changes={len(push)} latency-ms={args.latency_ms}")
        print(f"  push (measured end to end):                 {ms(push)}")
        print(f"  run latency (made due → copy written):      {ms(run_latency)}  ({len(run_latency)} runs)")
        print(f"  polling every {args.poll_seconds} s (schedule + run):        {ms(modelled(args.poll_seconds))}")
        print(f"  15-minute cadence (schedule + run):         {ms(modelled(args.cadence_seconds))}")
        calls = control("GET", "/emulator/requests?pathPrefix=/calendar/v3/")["requests"]
        by_kind = {}
        for call in calls:
            kind = call["method"] + (" (changes since a sync token)" if "syncToken=" in (call.get("query") or "") else "")
            by_kind[kind] = by_kind.get(kind, 0) + 1
        print(f"  Calendar API calls during the {len(push)} changes: {len(calls)} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items()))}), bytes received {sum(c.get('bytes') or 0 for c in calls):,}")
        if OUTLOOK:
            graph = microsoft("GET", "/emulator/requests?pathPrefix=/v1.0/")["requests"]
            kinds = {}
            for call in graph:
                kind = call["method"] + " " + ("delta" if "delta" in call["path"] else call["path"].split("/")[2] if call["path"].count("/") > 1 else call["path"])
                kinds[kind] = kinds.get(kind, 0) + 1
            answers = {}
            for note in microsoft("GET", "/emulator/notifications")["value"]:
                if note["kind"] == "change":
                    answers[str(note.get("status"))] = answers.get(str(note.get("status")), 0) + 1
            answered = ", ".join(f"{status}: {count}" for status, count in sorted(answers.items()))
            print(f"  Graph calls during the {len(push)} changes: {len(graph)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
                  f"bytes received {sum(c.get('bytes') or 0 for c in graph):,}; change notifications answered (status: count) {answered}")
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        log(f"logs in {work}")


if __name__ == "__main__":
    main()
