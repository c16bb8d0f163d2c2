#!/usr/bin/env python3
"""Syncboard's user journeys in a real headless Chromium (Selenium), against Syncboard wired to the Google emulator.

Started by scripts/browser-tests, which runs the emulator and the server. The journeys run in order and build on
each other, as a person would: sign in with Google, link a second account, discover calendars, see the job form's
errors, configure a job (transformer, filter, preset cadence), see a scheduled run happen with its status and log,
see a failing run's error, reconnect an account whose access Google revoked (from the link in the email it sent), look at insights, a job's other pages
and the error pages, create, use and revoke an API token, follow a change in real time, sync a group of three calendars; then another person does it all with the keyboard only (sign in, link an account, create a
job, run it, follow its live log, open its run page), unlinks an account, and links a Microsoft account whose
Outlook calendar a job copies into Google. Every Syncboard page visited is
checked with axe-core (browser.check_accessibility); any violation fails the journey. A screenshot of every step
goes to --artifacts. Exit status 0 only when every journey passed.
"""
import argparse, glob, json, os, re, sqlite3, sys, time, urllib.error, urllib.parse, urllib.request, uuid
from datetime import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from browser import (start, shot, go, text, expect, clickable, click, emulator, choose_google_account, choose_calendar,
                     run_now_and_wait, wait_for_text, iso, run, click_and_wait_for_next_page, check_accessibility,
                     press, shift_tab, focused, tab_to, press_and_wait_for_next_page, choose_with_arrow_keys, emails, wait_for_email)
import journeys_microsoft
import journeys_outlook_push
import journeys_feeds

parser = argparse.ArgumentParser()
parser.add_argument("--app", required=True)
parser.add_argument("--emulator", required=True)
parser.add_argument("--database", required=True, help="Syncboard's SQLite file (to make a scheduled time arrive)")
parser.add_argument("--artifacts", required=True)
parser.add_argument("--mail", required=True, help="where the test SMTP server writes what it accepted (NNNN.json)")
parser.add_argument("--microsoft", required=True, help="the Microsoft emulator (its control API)")
parser.add_argument("-k", dest="only", help="run the journeys up to and including the one whose name contains this")
args = parser.parse_args()

driver, wait = start(args.app, args.emulator, args.artifacts, microsoft=args.microsoft, mail=args.mail)


# --- the journeys -----------------------------------------------------------------------------------------------

def the_accessibility_check_catches_a_violation():
    """The axe check itself works on Syncboard's pages (their Content-Security-Policy included): an image without a
    text alternative, planted in the sign-in page, is reported with its rule, impact and selector."""
    go("/signin")
    driver.execute_script("var img = document.createElement('img'); img.id = 'planted'; img.src = '/static/favicon.svg';"
                          " document.querySelector('main').appendChild(img);")
    try:
        check_accessibility()
    except AssertionError as error:
        report = str(error)
        expect("image-alt [critical]" in report and "#planted" in report and "/signin" in report,
               f"the report names the rule, its impact, the element and the page: {report}")
    else:
        raise AssertionError("axe reported nothing for an image without alt text")
    driver.execute_script("document.getElementById('planted').remove();")
    check_accessibility()


def sign_in_with_google():
    go("/")
    expect("/signin" in driver.current_url, "a visitor is sent to the sign-in page")
    expect("Sign in with Google" in text(), "the sign-in page offers Google")
    shot("sign-in")
    choose_google_account("alice@example.com", clickable("#sign-in-with-google"))
    expect("Alice" in text(), "the signed-in user's name is shown")
    expect("Link" in text(), "the first-run guide says to link accounts first")
    shot("first-run-guide")


def choose_notifications_at_once():
    """Settings → Notifications: messages go to the sign-in address; choosing no digest window sends each at once."""
    go("/settings/notifications")
    expect("alice@example.com" in text(), "messages go to the sign-in address")
    Select(driver.find_element(By.ID, "digest-minutes")).select_by_value("0")
    click_and_wait_for_next_page(clickable("#save-preferences"))
    expect(Select(driver.find_element(By.ID, "digest-minutes")).first_selected_option.get_attribute("value") == "0", "the choice is kept")
    shot("notification-settings")


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


def the_job_form_shows_its_errors():
    go("/jobs/new")
    driver.find_element(By.ID, "cadence-cron").click()
    driver.find_element(By.ID, "field-cronExpression").send_keys("61 * * * *")
    for field, months in (("field-windowStartOffset", "2"), ("field-windowEndOffset", "-1")):  # ends before it starts
        offset = driver.find_element(By.ID, field)
        offset.clear()
        offset.send_keys(months)
    click_and_wait_for_next_page(clickable("#save-job"))
    summary = driver.find_element(By.ID, "form-errors")
    expect(driver.execute_script("return document.activeElement.id") == "form-errors", "focus moves to the list of errors")
    links = summary.find_elements(By.CSS_SELECTOR, "a")
    expect(len(links) >= 4, f"the name, both calendars, the cron expression and the window are in error: {summary.text!r}")
    for link in links:
        target = link.get_attribute("href").split("#", 1)[1]
        fields = driver.find_elements(By.ID, target)
        expect(fields, f"the error “{link.text}” links to its field (#{target})")
        field = fields[0]
        expect(field.get_attribute("aria-invalid") == "true", f"#{target} is marked invalid")
        described = " ".join(driver.find_element(By.ID, i).text for i in (field.get_attribute("aria-describedby") or "").split())
        message = link.find_element(By.XPATH, "..").text.split(": ", 1)[1]
        expect(message in described, f"#{target} is described by its error {message!r} (it has {described!r})")
    shot("new-job-errors")
    summary.find_element(By.CSS_SELECTOR, "a[href='#field-cronExpression']").click()
    expect(driver.execute_script("return document.activeElement.id") == "field-cronExpression", "an error's link moves focus to its field")


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
    """A run ends “needs reconnect”: the owner gets an email (through a real SMTP server, STARTTLS and AUTH) whose
    link opens the page that reconnects; reconnecting and a good run send the all-clear."""
    job = job_id()
    before = len(emails("alice@example.com"))
    emulator("POST", "/emulator/revoke", {"email": "bob@example.org"})
    go(f"/jobs/{job}")
    run_now_and_wait("needs reconnect")
    go("/")
    expect(driver.find_elements(By.CSS_SELECTOR, ".job-card .reconnect-link"), "the dashboard offers to reconnect")
    expect("bob@example.org" in driver.find_element(By.CSS_SELECTOR, ".job-card .notice-warning").text,
           "the notice names the account to reconnect")
    shot("dashboard-needs-reconnect")

    mail = wait_for_email("alice@example.com", "reconnect bob@example.org", after=before)
    expect(mail["tls"] and mail["login"], "sent over STARTTLS, with AUTH")
    expect("List-Unsubscribe" in mail["headers"] and mail["headers"].get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click",
           "the email has a one-click unsubscribe")
    expect(not re.search(r"sbp_|ya29\.|1//|refresh_token|access_token", mail["text"] + (mail["html"] or "")), "no token in the email")
    links = re.findall(re.escape(args.app) + r"/accounts[^\s\]>)\"]*", mail["text"])
    expect(links, f"the email links to the accounts page: {mail['text'][:600]!r}")
    driver.get(links[0])
    check_accessibility()
    expect("Google no longer accepts" in driver.find_element(By.CSS_SELECTOR, "[role='alert']").text, "the link opens the account that needs reconnecting")
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
    all_clear = wait_for_email("alice@example.com", "All clear", after=before)
    expect("Work → Family" in all_clear["headers"]["Subject"] or "bob@example.org" in all_clear["headers"]["Subject"],
           f"the all-clear names what works again: {all_clear['headers']['Subject']!r}")
    go("/")
    expect(not driver.find_elements(By.CSS_SELECTOR, ".job-card .reconnect-link"), "the dashboard no longer asks to reconnect")


def insights_job_pages_and_error_pages():
    job = job_id()
    # Every page of the main navigation, including those added later.
    go("/")
    for href in [link.get_attribute("href") for link in driver.find_elements(By.CSS_SELECTOR, "header nav a")]:
        driver.get(href)
        check_accessibility()
        expect(driver.find_elements(By.TAG_NAME, "h1") and "Not found" not in text(), f"{href} in the navigation opens a page")
    go("/insights")
    expect("Runs per day" in text() and "Work → Family" in text(), "insights show runs per day and the job")
    driver.find_element(By.CSS_SELECTOR, "#runs-per-day-table summary").click()
    expect("succeeded" in driver.find_element(By.ID, "runs-per-day-table").text.lower(), "the chart's numbers are there as a table")
    shot("insights")
    go(f"/jobs/{job}/config")
    expect("sync.yaml" in text(), "the configuration page shows sync.yaml")
    shot("job-config")
    go(f"/jobs/{job}/edit")
    shot("job-edit-form")
    go(f"/jobs/{job}/delete")
    shot("job-delete-confirmation")
    click_and_wait_for_next_page(driver.find_element(By.LINK_TEXT, "Keep it"))
    expect(f"/jobs/{job}" in driver.current_url.lower() or f"/jobs/{job.upper()}" in driver.current_url, "Keep it leads back to the job")
    go("/no-such-page")
    expect("Not found" in text(), "an unknown address says so")
    shot("error-not-found")
    go(f"/runs/{uuid.uuid4()}")
    expect("Not found" in text(), "an unknown run says so")
    # A form left open while the session changed: its security token is stale.
    go("/accounts")
    driver.execute_script("document.querySelector(\"form[action$='/refresh'] input[name='_csrf']\").value = 'stale';")
    click_and_wait_for_next_page(clickable("form[action$='/refresh'] button"))
    expect("Not allowed" in text() or "That did not work" in text(), "a stale form is refused with a page that says so")
    shot("error-stale-form")


def api_tokens_are_shown_once_and_revoked_at_once():
    """Settings → API tokens: a nameless token is refused next to its field and nothing is created; a read-only token
    is shown once, works on the API and for reading only, is listed without its secret, and stops working the moment
    it is revoked."""
    go("/settings/tokens")
    expect("You have no tokens." in text(), "no token yet")
    # Only spaces: the browser's own check (the field is required) lets it through; Syncboard's does not.
    driver.find_element(By.ID, "token-name").clear()
    driver.find_element(By.ID, "token-name").send_keys("   ")
    click_and_wait_for_next_page(clickable("#create-token"))
    error = driver.find_element(By.ID, "token-name-error").text
    expect("give the token a name" in error, f"the error is next to the name field: {error!r}")
    expect("token-name-error" in driver.find_element(By.ID, "token-name").get_attribute("aria-describedby"),
           "the field points screen readers at its error")
    expect(not driver.find_elements(By.ID, "new-token-value") and "You have no tokens." in text(), "nothing was created")
    shot("tokens-error")
    driver.find_element(By.ID, "token-name").clear()
    driver.find_element(By.ID, "token-name").send_keys("nightly export")
    driver.find_element(By.ID, "scope-read_only").click()
    click_and_wait_for_next_page(clickable("#create-token"))
    secret = driver.find_element(By.ID, "new-token-value").get_attribute("value")
    expect(secret.startswith("sbp_") and len(secret) > 40, "the new token is shown")
    shot("tokens-new-token")

    def api(method, path):
        request = urllib.request.Request(args.app + path, method=method, headers={"Authorization": f"Bearer {secret}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers

    status, headers = api("GET", "/api/v1/jobs")
    expect(status == 200 and "set-cookie" not in {name.lower() for name in headers.keys()}, f"the token reads the API without a cookie ({status})")
    status, _ = api("POST", f"/api/v1/jobs/{job_id()}/pause")
    expect(status == 403, f"a read-only token cannot write ({status})")
    go("/settings/tokens")
    expect(secret not in driver.page_source and "nightly export" in driver.find_element(By.ID, "tokens").text,
           "listed by name; the secret is never shown again")
    click_and_wait_for_next_page(clickable("button[aria-label='Revoke nightly export']"))
    expect("You have no tokens." in text(), "revoked tokens leave the list")
    status, _ = api("GET", "/api/v1/jobs")
    expect(status == 401, f"a revoked token stops working at once ({status})")
    shot("tokens-revoked")


def a_real_time_job_follows_a_change_in_seconds():
    """Alice makes a real-time job; a change in the source calendar (made on Google's side, through the emulator's
    control API) reaches the destination and shows on the dashboard within seconds, nobody pressing Run now: Google's
    push notification starts the run (scripts/browser-tests runs the emulator with plain http delivery and
    SYNCBOARD_PUSH=on)."""
    name = "Work → Bob, in real time"
    work, bob = "work-alice@group.calendar.google.com", "bob@example.org"
    go("/jobs/new")
    driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys(name)
    choose_calendar("source", "alice@example.com", "Alice · Work")
    # Bob's own calendar "Bob" (choose_calendar's prefix match would also take "Bob · Family").
    options = driver.find_elements(By.XPATH, "//select[@name='destination']/optgroup[@label='bob@example.org']/option")
    bobs = next(o for o in options if o.text.split(" · ")[0].strip() == "Bob" and "Family" not in o.text)
    Select(driver.find_element(By.NAME, "destination")).select_by_value(bobs.get_attribute("value"))
    box = driver.find_element(By.ID, "field-t-KeepTitle")
    if not box.is_selected():
        driver.find_element(By.CSS_SELECTOR, "label[for='field-t-KeepTitle']").click()
    driver.find_element(By.ID, "cadence-realtime").click()
    shot("realtime-job-form")
    click_and_wait_for_next_page(clickable("#save-job"))
    expect(name in text() and "Real time" in text(), "the job is saved with the real-time cadence")
    with sqlite3.connect(args.database) as db:
        job = db.execute("SELECT id FROM sync_jobs WHERE name = ?", (name,)).fetchone()[0]
    # The first run copies what is there; Google's channel on Alice · Work opens beside it.
    wait_for_text("Push notifications from Google; the channel renews", timeout=60)
    expect(any(c["calendarID"] == work and not c["stopped"] for c in emulator("GET", "/emulator/channels")["items"]),
           "the emulator has a live channel on the source calendar")
    shot("realtime-job-page")
    copies = lambda: {e.get("summary"): e for e in emulator("GET", f"/emulator/calendars/{bob}/events")["items"] if e.get("status") != "cancelled"}
    deadline = time.time() + 150  # a new real-time job's first run comes a minute after it is saved
    while "Planning" not in copies() and time.time() < deadline:
        time.sleep(0.5)
    expect("Planning" in copies(), "the first run copied Alice's events")
    go("/")
    card_id = f"job-{job.upper()}" if driver.find_elements(By.ID, f"job-{job.upper()}") else f"job-{job}"
    before = driver.find_element(By.ID, card_id).text

    planning = next(e for e in emulator("GET", f"/emulator/calendars/{work}/events")["items"]
                    if e.get("summary") == "Planning" and e.get("status") != "cancelled")
    changed_at = time.time()
    emulator("PATCH", f"/emulator/calendars/{work}/events/{planning['id']}", {"summary": "Planning (moved to Friday)"})
    while "Planning (moved to Friday)" not in copies() and time.time() < changed_at + 60:
        time.sleep(0.2)
    arrived = time.time() - changed_at
    expect("Planning (moved to Friday)" in copies(), "the change reached the destination")
    # Seconds, not the minute a poll would take (a wide margin for a loaded machine; typically 1-3 s).
    expect(arrived < 30, f"the copy was written {arrived:.1f}s after the change")
    print(f"browser: the change reached the destination in {arrived:.1f}s", flush=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        driver.refresh()
        card = driver.find_element(By.ID, card_id).text
        if "0 created, 1 updated, 0 deleted" in card and card != before:
            break
        time.sleep(0.5)
    expect("0 created, 1 updated, 0 deleted" in card and "succeeded" in card.lower(),
           f"the dashboard shows the run that propagated the change: {card!r}")
    check_accessibility()
    shot("dashboard-realtime-propagated")


def a_group_of_three_calendars_makes_busy_blocks_in_each():
    """Alice makes a sync group of three calendars of her two linked accounts (two made on Google just now, found
    with “Refresh calendars”): one run copies each calendar's own events into the two others as busy blocks (their
    times, not their titles), six directions each listed as succeeded on the run page, and the dashboard names the three calendars with
    each one's result."""
    name = "Busy everywhere"
    new_calendars = (("choir-alice@group.calendar.google.com", "Choir", "alice@example.com"),
                     ("band-bob@group.calendar.google.com", "Band", "bob@example.org"))
    for calendar_id, summary, owner in new_calendars:
        emulator("POST", "/emulator/calendars", {"id": calendar_id, "summary": summary, "timeZone": "Europe/Berlin",
                                                 "backgroundColor": "#cd74e6", "roles": {owner: "owner"}})
    go("/accounts")
    for index in range(len(driver.find_elements(By.CSS_SELECTOR, "form[action$='/refresh'] button"))):
        click_and_wait_for_next_page(driver.find_elements(By.CSS_SELECTOR, "form[action$='/refresh'] button")[index])
    expect("Choir" in text() and "Band" in text(), "the calendars made on Google are found")
    members = {"alice@example.com": ("Alice", "alice@example.com"), "choir-alice@group.calendar.google.com": ("Choir", "alice@example.com"),
               "band-bob@group.calendar.google.com": ("Band", "bob@example.org")}
    # Each calendar's own event: an hour on its own day.
    originals = {}
    for day, (calendar_id, (summary, _)) in enumerate(members.items(), start=1):
        event = emulator("POST", f"/emulator/calendars/{calendar_id}/events",
                         {"summary": f"{summary}'s own", "start": {"dateTime": iso(days=day, hour=8)}, "end": {"dateTime": iso(days=day, hour=9)}})
        originals[calendar_id] = event

    go("/jobs/new")
    driver.find_element(By.ID, "field-name").send_keys(name)
    expect(driver.find_element(By.ID, "copy-calendars").is_displayed() and not driver.find_element(By.ID, "group-calendars").is_displayed(),
           "a new job is a copy: only the copy's calendars show")
    driver.find_element(By.CSS_SELECTOR, "label[for='field-kind-group']").click()
    wait.until(lambda d: d.find_element(By.ID, "group-calendars").is_displayed() and not d.find_element(By.ID, "copy-calendars").is_displayed())
    for summary, account in members.values():
        label = driver.find_element(By.XPATH, f"//fieldset[@id='group-calendars']//label[strong[normalize-space(.)='{summary}'] and contains(., '{account}')]")
        label.click()
        expect(driver.find_element(By.ID, label.get_attribute("for")).is_selected(), f"{summary} is ticked")
    shot("group-job-form")
    click_and_wait_for_next_page(clickable("#save-job"))
    expect(name in text() and "Sync group" in text() and "6 directions" in text(), "the job page says it is a group of six directions")
    for summary, _ in members.values():
        expect(summary in driver.find_element(By.XPATH, "//dt[.='Calendars in the group']/following-sibling::dd[1]").text, f"the job page names {summary}")
    shot("group-job-page")

    run_now_and_wait("succeeded")
    rows = driver.find_elements(By.CSS_SELECTOR, "#run-directions tbody tr")
    expect(len(rows) == 6 and all("succeeded" in row.text for row in rows), f"six directions succeeded: {[row.text for row in rows]}")
    expect("Directions (6 of 6 succeeded)" in text(), "the run page sums the directions up")
    shot("group-run-page")

    def starts(events):
        return sorted(datetime.fromisoformat(e["start"]["dateTime"].replace("Z", "+00:00")).timestamp() for e in events)

    for calendar_id, (summary, _) in members.items():
        stored = [e for e in emulator("GET", f"/emulator/calendars/{calendar_id}/events")["items"] if e.get("status") != "cancelled"]
        copies = [e for e in stored if e["id"] != originals[calendar_id]["id"]]
        others = [event for other, event in originals.items() if other != calendar_id]
        expect(starts(copies) == starts(others), f"{summary} has a block at the time of each other calendar's event: {copies}")
        # Without “Keep the title” a copy is a block with CalendarSync's placeholder title, as CalendarSync makes it.
        expect(all("'s own" not in e.get("summary", "") for e in copies), f"the blocks in {summary} do not carry the titles: {[e.get('summary') for e in copies]}")

    go("/")
    with sqlite3.connect(args.database) as db:
        job = db.execute("SELECT id FROM sync_jobs WHERE name = ?", (name,)).fetchone()[0]
    card = driver.find_element(By.ID, f"job-{job.upper()}" if driver.find_elements(By.ID, f"job-{job.upper()}") else f"job-{job}")
    route = card.find_element(By.CSS_SELECTOR, ".route").text
    expect(route.startswith("Group: ") and all(summary in route for summary, _ in members.values()), f"the card names the group's calendars: {route!r}")
    results = [item.text for item in card.find_elements(By.CSS_SELECTOR, ".leg-results li")]
    # (Selenium may read the words said to screen readers too: "✓ Alice: succeeded".)
    expect(sorted(result.split(":")[0].strip() for result in results) == ["✓ Alice", "✓ Band", "✓ Choir"], f"each calendar's result of the last run: {results}")
    shot("dashboard-group")


def keyboard_only_sign_in_link_create_run():
    """Carol does everything with the keyboard: no element is clicked; focus is checked on every key press."""
    go("/")
    tab_to("form.signout button")
    press_and_wait_for_next_page(Keys.ENTER)
    expect("/signin" in driver.current_url and "signed out" in text(), "signing out with the keyboard works")
    # The first stop is the skip link, shown when focused; it leads into the content.
    tab_to("a.skip-link", limit=1)
    press(Keys.ENTER)
    tab_to("#sign-in-with-google", limit=1)
    press_and_wait_for_next_page(Keys.ENTER)  # to the emulator's account chooser
    tab_to("button[id='choose-carol@example.net']", limit=20)
    press_and_wait_for_next_page(Keys.ENTER)
    wait.until(lambda d: d.current_url.startswith(args.app + "/") and "/auth/" not in d.current_url)
    check_accessibility()
    expect("Welcome to Syncboard" in text() and "Carol" in text(), "Carol, new here, sees the first-run guide")
    shot("keyboard-first-run-guide")

    tab_to("header nav a[href='/accounts']")
    press_and_wait_for_next_page(Keys.ENTER)
    tab_to("#link-account")
    press_and_wait_for_next_page(Keys.ENTER)
    tab_to("button[id='choose-carol.work@example.net']", limit=20)
    press_and_wait_for_next_page(Keys.ENTER)
    wait.until(lambda d: d.current_url.startswith(args.app + "/accounts"))
    check_accessibility()
    expect("carol.work@example.net" in text() and "Carol · Projects" in text(), "the second account is linked with its calendars")
    shot("keyboard-account-linked")
    tab_to("#link-account")
    tab_to("header nav a[href='/']", backwards=True)  # Shift+Tab goes back up the page in order
    press_and_wait_for_next_page(Keys.ENTER)

    tab_to("a[href='/jobs/new']")
    press_and_wait_for_next_page(Keys.ENTER)
    tab_to("#field-name")
    press("Projects to Carol")
    # The kind of job is one stop (a radio group); a copy, chosen already, shows its calendars next.
    tab_to("input[name='kind']:checked", limit=1)
    expect(driver.execute_script("return document.activeElement.id") == "field-kind-copy", "a new job is a copy")
    tab_to("#field-source", limit=1)
    choose_with_arrow_keys("carol.work@example.net", "Carol · Projects")
    tab_to("#field-destination")
    choose_with_arrow_keys("carol@example.net", "Carol")
    tab_to("#field-t-KeepTitle")
    if not driver.switch_to.active_element.is_selected():
        press(Keys.SPACE)
    expect(driver.switch_to.active_element.is_selected(), "Space ticks “Keep the title”")
    tab_to("input[name='cadence']:checked")
    press(Keys.ARROW_UP)  # arrow keys move within the radio group and choose
    focused(ordered=False)
    expect(driver.execute_script("return document.activeElement.id") == "cadence-every15Minutes", "the up arrow chooses every 15 minutes")
    tab_to("#save-job")
    shift_tab()
    focused(backwards=True)
    press(Keys.TAB)
    focused()
    expect(driver.execute_script("return document.activeElement.id") == "save-job", "Tab returns to “Save job”")
    shot("keyboard-job-form", full_page=False)
    press_and_wait_for_next_page(Keys.ENTER)
    expect("Projects to Carol" in text() and "15 minutes" in text(), "the job is saved and described")

    # Slow Google down so that the run is still going when its page opens: its log then follows along live.
    for day in range(1, 5):
        emulator("POST", "/emulator/calendars/projects-carol@group.calendar.google.com/events",
                 {"summary": f"Project sync {day}", "start": {"dateTime": iso(days=day, hour=11)}, "end": {"dateTime": iso(days=day, hour=12)}})
    emulator("PUT", "/emulator/latency", {"milliseconds": 2000})
    try:
        tab_to("form[action$='/run'] button")
        press_and_wait_for_next_page(Keys.ENTER)
        expect("/runs/" in driver.current_url, "Run now opens the run's page")
        run_path = urllib.parse.urlparse(driver.current_url).path
        log = driver.find_element(By.ID, "run-log")
        expect(log.get_attribute("data-active") == "true", f"the run is still going when its page opens: {text()[:300]!r}")
        expect(log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite",
               f"the live log is a polite live region (role={log.get_attribute('role')}, aria-live={log.get_attribute('aria-live')})")
        before = driver.execute_script("window.__sameDocument = true; return document.querySelectorAll('#run-log span').length;")
        wait.until(lambda d: d.execute_script(
            "return window.__sameDocument === true && document.querySelectorAll('#run-log span').length > arguments[0];", before))
        check_accessibility()
        shot("keyboard-run-live-log")
        # When the run ends the page reloads itself with the outcome.
        deadline = time.time() + 120
        while time.time() < deadline:
            status = driver.execute_script("var e = document.getElementById('run-status'); return e ? e.textContent.trim() : '';")
            if status not in ("", "queued", "running"):
                break
            time.sleep(0.5)
        expect(status == "succeeded", f"the run succeeded (it is {status!r})")
    finally:
        emulator("DELETE", "/emulator/faults")
    check_accessibility()
    shot("keyboard-run-finished")

    tab_to("nav[aria-label='Breadcrumb'] a[href^='/jobs/']")
    press_and_wait_for_next_page(Keys.ENTER)
    # This run's row (the job's first scheduled run may have come after it and be listed first).
    tab_to(f"table a[href='{run_path}']")
    press_and_wait_for_next_page(Keys.ENTER)
    tab_to("#run-log")  # the log can be reached (and scrolled) with the keyboard
    expect(driver.find_element(By.ID, "run-log").get_attribute("role") == "log", "the run page's log is a log")
    expect("created “Project sync 1”" in driver.find_element(By.ID, "run-log").text, "the log says what was created")
    shot("keyboard-run-page", full_page=False)


def unlinking_asks_first():
    go("/accounts")
    card = "//section[contains(@class,'card')][.//h2[contains(., 'carol.work@example.net')]]"
    click_and_wait_for_next_page(clickable_xpath(card + "//a[contains(@href,'/unlink')]"))
    expect("Projects to Carol" in text(), "the confirmation names the job that will be disabled")
    shot("unlink-confirmation")
    click_and_wait_for_next_page(driver.find_element(By.LINK_TEXT, "Keep it"))
    expect("carol.work@example.net" in text(), "Keep it keeps the account")
    click_and_wait_for_next_page(clickable_xpath(card + "//a[contains(@href,'/unlink')]"))
    click_and_wait_for_next_page(clickable("#confirm-unlink"))
    expect("Projects to Carol" in driver.find_element(By.ID, "disabled-jobs").text, "the done page names the disabled job")
    shot("unlink-done")
    go("/")
    expect("Projects to Carol" in text(), "the dashboard still lists the disabled job")
    shot("dashboard-after-unlink")


def link_a_microsoft_account_and_copy_outlook_into_google():
    """Carol links Ada's Outlook account (the Microsoft emulator's demo world): its calendars are listed as Microsoft
    365's; a job copies the Outlook work calendar into Carol's Google calendar, and the copies arrive at Google."""
    go("/accounts")
    expect("Link a Microsoft account" in text(), "the accounts page offers Microsoft when it is configured")
    choose_google_account("ada@contoso.example", clickable("#link-microsoft-account"))  # the emulators' choosers are alike
    wait.until(lambda d: "/accounts" in d.current_url)
    go("/accounts")
    card = driver.find_element(By.XPATH, "//section[contains(@class,'card')][.//h2[contains(., 'ada@contoso.example')]]").text
    expect("Microsoft 365" in card and "Engine team" in card, f"the Outlook account and its calendars are listed: {card!r}")
    shot("microsoft-account-linked")

    go("/jobs/new")
    driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys("Outlook to Carol")
    choose_calendar("source", "ada@contoso.example · Microsoft 365, built-in engine only", "Calendar")
    choose_calendar("destination", "carol@example.net", "Carol")
    box = driver.find_element(By.ID, "field-t-KeepTitle")
    if not box.is_selected():
        driver.find_element(By.CSS_SELECTOR, "label[for='field-t-KeepTitle']").click()
    shot("outlook-job-filled")
    click("#save-job")
    wait.until(lambda d: "/jobs/" in d.current_url and "/new" not in d.current_url)
    expect("Outlook to Carol" in text(), "the job is saved")
    run_now_and_wait("succeeded")
    titles = [e.get("summary") for e in emulator("GET", "/emulator/calendars/carol@example.net/events")["items"]]
    expect(any(t and "1:1 Ada / Charles" in t for t in titles), f"Outlook's events were copied into Google: {titles}")
    shot("outlook-job-run")


def clickable_xpath(xpath):
    return wait.until(EC.element_to_be_clickable((By.XPATH, xpath)))


JOURNEYS = [the_accessibility_check_catches_a_violation, sign_in_with_google, choose_notifications_at_once, link_second_account, discover_calendars, the_job_form_shows_its_errors, configure_job,
            see_a_scheduled_run_happen, a_failing_run_shows_its_error, reconnect_an_account,
            insights_job_pages_and_error_pages, api_tokens_are_shown_once_and_revoked_at_once,
            a_real_time_job_follows_a_change_in_seconds, a_group_of_three_calendars_makes_busy_blocks_in_each,
            keyboard_only_sign_in_link_create_run, unlinking_asks_first, link_a_microsoft_account_and_copy_outlook_into_google,
            *journeys_outlook_push.JOURNEYS, *journeys_microsoft.JOURNEYS,
            journeys_feeds.subscribe_to_a_feed_and_copy_it_into_google, journeys_feeds.a_group_with_a_feed_member]


if __name__ == "__main__":
    sys.exit(run(JOURNEYS, only=args.only))
