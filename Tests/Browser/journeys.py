#!/usr/bin/env python3
"""Syncboard's user journeys in a real headless Chromium (Selenium), against Syncboard wired to the Google emulator.

Started by scripts/browser-tests, which runs the emulator and the server. The journeys run in order and build on
each other, as a person would: sign in with Google, link a second account, discover calendars, configure a job
(transformer, filter, preset cadence), see a scheduled run happen with its status and log, see a failing run's
error, and reconnect an account whose access Google revoked. A screenshot of every step goes to --artifacts.
Exit status 0 only when every journey passed.
"""
import argparse, json, shutil, sqlite3, sys, time, traceback, urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

parser = argparse.ArgumentParser()
parser.add_argument("--app", required=True)
parser.add_argument("--emulator", required=True)
parser.add_argument("--database", required=True, help="Syncboard's SQLite file (to make a scheduled time arrive)")
parser.add_argument("--artifacts", required=True)
parser.add_argument("-k", dest="only", help="run the journeys up to and including the one whose name contains this")
args = parser.parse_args()

options = webdriver.ChromeOptions()
options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB"):
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
wait = WebDriverWait(driver, 20)
step_number = 0


def shot(name):
    """Saves a full-page screenshot of the current page as NN-name.png."""
    global step_number
    step_number += 1
    height = driver.execute_script("return Math.max(document.documentElement.scrollHeight, 900)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": min(height, 5000), "deviceScaleFactor": 1, "mobile": False})
    driver.save_screenshot(f"{args.artifacts}/{step_number:02d}-{name}.png")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def go(path):
    driver.get(args.app + path)


def text():
    return driver.find_element(By.TAG_NAME, "body").text


def expect(condition, message):
    if not condition:
        raise AssertionError(f"{message} (page {driver.current_url}: {text()[:600]!r})")


def click(css):
    element = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
    element.click()


def emulator(method, path, body=None):
    """Calls the emulator's control API."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(args.emulator + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def choose_google_account(email):
    """Answers the emulator's account chooser as `email` (it appears unless Google approves silently)."""
    wait.until(lambda d: "/o/oauth2/" not in d.current_url or d.find_elements(By.ID, f"choose-{email}"))
    if "/o/oauth2/" in driver.current_url:
        shot(f"google-chooser-{email.split('@')[0]}")
        click(f"button[id='choose-{email}']")
    wait.until(lambda d: d.current_url.startswith(args.app))


def choose_calendar(field, account, summary):
    """Picks a calendar in the job form's select, under its account's group."""
    option = driver.find_element(By.XPATH, f"//select[@name='{field}']/optgroup[@label='{account}']/option[starts-with(normalize-space(.), '{summary}')]")
    Select(driver.find_element(By.NAME, field)).select_by_value(option.get_attribute("value"))


def wait_for_text(needle, reload=True, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if needle in text():
            return
        time.sleep(0.5)
        if reload:
            driver.refresh()
    raise AssertionError(f"waited {timeout}s for {needle!r} on {driver.current_url}: {text()[:600]!r}")


# --- the journeys -----------------------------------------------------------------------------------------------

def sign_in_with_google():
    go("/")
    expect("/signin" in driver.current_url, "a visitor is sent to the sign-in page")
    expect("Sign in with Google" in text(), "the sign-in page offers Google")
    shot("sign-in")
    click("#sign-in-with-google")
    choose_google_account("alice@example.com")
    expect("Alice" in text(), "the signed-in user's name is shown")
    expect("Link" in text(), "the first-run guide says to link accounts first")
    shot("first-run-guide")


def link_second_account():
    go("/accounts")
    click("#link-account")
    choose_google_account("bob@example.org")
    go("/accounts")
    body = text()
    expect("alice@example.com" in body and "bob@example.org" in body, "both Google accounts are listed")
    shot("accounts-linked")


def discover_calendars():
    go("/accounts")
    body = text()
    for calendar in ("Alice · Work", "Bob · Family", "Bob"):
        expect(calendar in body, f"the calendar {calendar} was discovered")
    shot("calendars-discovered")


def configure_job():
    go("/jobs/new")
    shot("new-job-form")
    driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys("Work → Family")
    choose_calendar("source", "alice@example.com", "Alice · Work")
    choose_calendar("destination", "bob@example.org", "Bob · Family")
    # Transformers: keep the title and prefix it; filter: skip declined events.
    for key in ("t.KeepTitle", "t.PrefixTitle", "f.DeclinedEvents"):
        box = driver.find_element(By.ID, "field-" + key.replace(".", "-"))
        if not box.is_selected():
            driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']").click()
    prefix = driver.find_element(By.ID, "field-t-PrefixTitle-Prefix")
    prefix.clear()
    prefix.send_keys("[Work] ")
    driver.find_element(By.ID, "cadence-every15Minutes").click()
    shot("new-job-filled")
    click("#save-job")
    wait.until(lambda d: "/jobs/" in d.current_url and "/new" not in d.current_url)
    body = text()
    expect("Work → Family" in body, "the job page names the job")
    expect("15 minutes" in body, "the cadence is described in words")
    expect("[Work]" in body and "declined" in body.lower(), "the transformer and filter are described")
    shot("job-page")


def job_id():
    with sqlite3.connect(args.database) as db:
        return db.execute("SELECT id FROM sync_jobs WHERE name = 'Work → Family'").fetchone()[0]


def make_the_scheduled_time_arrive(job):
    """Moves the job's next run to now, as if its 15 minutes had passed (the scheduler polls every 250 ms)."""
    with sqlite3.connect(args.database) as db:
        kind = db.execute("SELECT typeof(next_run_at) FROM sync_jobs WHERE id = ?", (job,)).fetchone()[0]
        now = time.time() if kind in ("real", "integer") else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        db.execute("UPDATE sync_jobs SET next_run_at = ? WHERE id = ?", (now, job))


def see_a_scheduled_run_happen():
    job = job_id()
    go("/")
    expect("Work → Family" in text() and "not run yet" in text(), "the dashboard shows the new job, not run yet")
    shot("dashboard-before-first-run")
    # Alice's work week: two meetings and one she declined.
    for summary, days, declined in (("Planning", 1, False), ("Design review", 2, False), ("Declined offsite", 3, True)):
        event = {"summary": summary, "start": {"dateTime": iso(days=days, hour=9)}, "end": {"dateTime": iso(days=days, hour=10)}}
        if declined:
            event["attendees"] = [{"email": "alice@example.com", "responseStatus": "declined", "self": True}]
        emulator("POST", "/emulator/calendars/work-alice@group.calendar.google.com/events", event)
    make_the_scheduled_time_arrive(job)
    wait_for_text("succeeded", timeout=60)
    card = driver.find_element(By.ID, f"job-{job.upper()}" if driver.find_elements(By.ID, f"job-{job.upper()}") else f"job-{job}")
    expect("healthy" in card.text, "the job's badge turns healthy")
    expect("created" in card.text, "the last run's counts are shown")
    shot("dashboard-after-scheduled-run")
    card.find_element(By.PARTIAL_LINK_TEXT, "ago").click()
    wait.until(EC.presence_of_element_located((By.ID, "run-status")))
    body = text()
    expect("Succeeded" in body or "succeeded" in body, "the run page shows the status")
    expect("Scheduled" in body or "scheduled" in body, "the run was started by the schedule")
    log = driver.find_element(By.ID, "run-log").text
    expect(len(log.splitlines()) >= 2, "the run page shows the run's log")
    shot("run-page")
    search = driver.find_element(By.ID, "log-search")
    search.send_keys("created")
    search.submit()
    wait.until(EC.presence_of_element_located((By.ID, "run-log")))
    shot("run-log-searched")
    # The events arrived in the destination, prefixed.
    events = emulator("GET", "/emulator/calendars/family-bob@group.calendar.google.com/events")
    titles = sorted(event.get("summary", "") for event in events["items"] if event.get("status") != "cancelled")
    expect(titles == ["[Work] Design review", "[Work] Planning"], f"the destination has the prefixed copies, not the declined one: {titles}")


def a_failing_run_shows_its_error():
    job = job_id()
    # Bob may now only read the family calendar: the sync's writes are refused by Google.
    emulator("PUT", "/emulator/calendars/family-bob@group.calendar.google.com/roles/bob@example.org", {"role": "reader"})
    emulator("POST", "/emulator/calendars/work-alice@group.calendar.google.com/events",
             {"summary": "Budget review", "start": {"dateTime": iso(days=1, hour=9)}, "end": {"dateTime": iso(days=1, hour=10)}})
    go(f"/jobs/{job}")
    click("form[action$='/run'] button")
    wait_for_text("failed", timeout=60)
    go("/")
    notice = driver.find_element(By.CSS_SELECTOR, ".job-card .notice-error")
    expect("Last run failed" in notice.text and len(notice.text) > len("Last run failed: ") + 10,
           f"the dashboard shows the run's first error line, not just “failed”: {notice.text!r}")
    shot("dashboard-failing-job")
    notice.find_element(By.LINK_TEXT, "Open the run").click()
    wait.until(EC.presence_of_element_located((By.ID, "run-error")))
    expect(driver.find_element(By.ID, "run-error").text.strip() != "", "the run page explains the failure")
    shot("failed-run-page")
    emulator("PUT", "/emulator/calendars/family-bob@group.calendar.google.com/roles/bob@example.org", {"role": "owner"})


def reconnect_an_account():
    job = job_id()
    emulator("POST", "/emulator/revoke", {"email": "bob@example.org"})
    go(f"/jobs/{job}")
    click("form[action$='/run'] button")
    wait_for_text("needs reconnect", timeout=60)
    go("/")
    link = driver.find_element(By.CSS_SELECTOR, ".job-card .reconnect-link")
    expect("bob@example.org" in driver.find_element(By.CSS_SELECTOR, ".job-card .notice-warning").text,
           "the notice names the account to reconnect")
    shot("dashboard-needs-reconnect")
    link.click()
    shot("accounts-needs-reconnect")
    wait.until(EC.element_to_be_clickable((By.XPATH, "//*[contains(@class,'card')][.//*[self::h2 or self::h3][contains(., 'bob@example.org')]]"
                                                     "//form[contains(@action,'/reconnect')]//button"))).click()
    choose_google_account("bob@example.org")
    go("/accounts")
    expect("needs reconnect" not in text().lower(), "the account is connected again")
    shot("accounts-reconnected")
    go(f"/jobs/{job}")
    click("form[action$='/run'] button")
    wait_for_text("Succeeded", timeout=60)
    shot("job-page-after-reconnect")


def iso(days=0, hour=9):
    day = time.gmtime(time.time() + days * 86400)
    return time.strftime(f"%Y-%m-%dT{hour:02d}:00:00Z", day)


JOURNEYS = [sign_in_with_google, link_second_account, discover_calendars, configure_job, see_a_scheduled_run_happen,
            a_failing_run_shows_its_error, reconnect_an_account]


def main():
    failures = 0
    try:
        for journey in JOURNEYS:
            started = time.time()
            try:
                journey()
                print(f"browser: ✔ {journey.__name__} ({time.time() - started:.1f}s)", flush=True)
            except Exception:
                failures += 1
                print(f"browser: ✘ {journey.__name__}", flush=True)
                traceback.print_exc()
                shot(f"FAILED-{journey.__name__}")
                break  # the journeys build on each other
            if args.only and args.only in journey.__name__:
                break
    finally:
        driver.quit()
    print(f"browser: screenshots in {args.artifacts}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
