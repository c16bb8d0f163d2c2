#!/usr/bin/env python3
"""Syncboard's user journeys in a real headless Chromium (Selenium), against Syncboard wired to the Google emulator.

Started by scripts/browser-tests, which runs the emulator and the server. The journeys run in order and build on
each other, as a person would: sign in with Google, link a second account, discover calendars, configure a job
(transformer, filter, preset cadence), see a scheduled run happen with its status and log, see a failing run's
error, and reconnect an account whose access Google revoked. A screenshot of every step goes to --artifacts.
Exit status 0 only when every journey passed.
"""
import argparse, sqlite3, sys, time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser import (start, shot, go, text, expect, clickable, click, emulator, choose_google_account, choose_calendar,
                     run_now_and_wait, wait_for_text, iso, run)

parser = argparse.ArgumentParser()
parser.add_argument("--app", required=True)
parser.add_argument("--emulator", required=True)
parser.add_argument("--database", required=True, help="Syncboard's SQLite file (to make a scheduled time arrive)")
parser.add_argument("--artifacts", required=True)
parser.add_argument("-k", dest="only", help="run the journeys up to and including the one whose name contains this")
args = parser.parse_args()

driver, wait = start(args.app, args.emulator, args.artifacts)


# --- the journeys -----------------------------------------------------------------------------------------------

def sign_in_with_google():
    go("/")
    expect("/signin" in driver.current_url, "a visitor is sent to the sign-in page")
    expect("Sign in with Google" in text(), "the sign-in page offers Google")
    shot("sign-in")
    choose_google_account("alice@example.com", clickable("#sign-in-with-google"))
    expect("Alice" in text(), "the signed-in user's name is shown")
    expect("Link" in text(), "the first-run guide says to link accounts first")
    shot("first-run-guide")


def link_second_account():
    go("/accounts")
    choose_google_account("bob@example.org", clickable("#link-account"))
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
    expect("Prefix “[Work] ”" in body and "declined" in body.lower(), "the transformer (its prefix quoted) and filter are described")
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
    card.find_element(By.CSS_SELECTOR, "a[href*='/runs/']").click()
    wait.until(EC.presence_of_element_located((By.ID, "run-status")))
    body = text()
    expect("Succeeded" in body or "succeeded" in body, "the run page shows the status")
    expect("On schedule" in body, "the run was started by the schedule")
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
    run_now_and_wait("failed")
    go("/")
    notice = driver.find_element(By.CSS_SELECTOR, ".job-card .notice-error")
    expect("Last run failed" in notice.text and len(notice.text) > len("Last run failed: ") + 10,
           f"the dashboard shows the run's first error line, not just “failed”: {notice.text!r}")
    shot("dashboard-failing-job")
    notice.find_element(By.LINK_TEXT, "Open the run").click()
    wait.until(EC.presence_of_element_located((By.ID, "run-error")))
    expect(driver.find_element(By.ID, "run-error").text.strip() != "", "the run page explains the failure")
    expect("Make changes to events" in text(), "and says what to do about it")
    shot("failed-run-page")
    emulator("PUT", "/emulator/calendars/family-bob@group.calendar.google.com/roles/bob@example.org", {"role": "owner"})


def reconnect_an_account():
    job = job_id()
    emulator("POST", "/emulator/revoke", {"email": "bob@example.org"})
    go(f"/jobs/{job}")
    run_now_and_wait("needs reconnect")
    go("/")
    link = driver.find_element(By.CSS_SELECTOR, ".job-card .reconnect-link")
    expect("bob@example.org" in driver.find_element(By.CSS_SELECTOR, ".job-card .notice-warning").text,
           "the notice names the account to reconnect")
    shot("dashboard-needs-reconnect")
    link.click()
    shot("accounts-needs-reconnect")
    reconnect = wait.until(EC.element_to_be_clickable((By.XPATH, "//*[contains(@class,'card')][.//*[self::h2 or self::h3][contains(., 'bob@example.org')]]"
                                                                 "//form[contains(@action,'/reconnect')]//button")))
    choose_google_account("bob@example.org", reconnect)
    go("/accounts")
    expect("needs reconnect" not in text().lower(), "the account is connected again")
    shot("accounts-reconnected")
    go(f"/jobs/{job}")
    run_now_and_wait("succeeded")
    shot("job-page-after-reconnect")


JOURNEYS = [sign_in_with_google, link_second_account, discover_calendars, configure_job, see_a_scheduled_run_happen,
            a_failing_run_shows_its_error, reconnect_an_account]


if __name__ == "__main__":
    sys.exit(run(JOURNEYS, only=args.only))
