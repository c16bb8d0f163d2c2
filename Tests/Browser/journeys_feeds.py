"""The published-calendar journeys (issue 29), after the Microsoft ones: the signed-in user subscribes to a club's ICS
feed (an address that serves a web page is refused next to the field first), copies it into one of their Google
calendars, and sees a change in the feed reach Google; then makes a group of that feed and a Google calendar, in
which the feed is a read-only member.

Registered at the end of journeys.py's JOURNEYS. The feed is a file in SYNCBOARD_BROWSER_FEEDS_DIR served by a plain
HTTP server at SYNCBOARD_BROWSER_FEEDS_URL (scripts/browser-tests starts it; the app has SYNCBOARD_FEEDS_ALLOW_PRIVATE
for loopback). Google's side is read through the emulator's control API (browser.emulator).
"""
import os, sqlite3, time
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser
from browser import shot, go, text, expect, click, emulator, run_now_and_wait, click_and_wait_for_next_page

FEEDS_DIR = os.environ.get("SYNCBOARD_BROWSER_FEEDS_DIR", "")
FEEDS_URL = os.environ.get("SYNCBOARD_BROWSER_FEEDS_URL", "")
FEED_NAME = "Rovers FC fixtures"

# What the first journey found, for the second: the Google calendar the feed was copied into.
found = {}


def write_feed(events):
    """Writes club.ics: `events` as (uid, summary, days from now at 17:00 UTC), a weekly training series with an
    exception among them. Its modification time moves on by whole seconds, so the server's Last-Modified changes
    (a 304 needs If-Modified-Since to match)."""
    path = os.path.join(FEEDS_DIR, "club.ics")
    base = datetime.now(timezone.utc).replace(hour=17, minute=0, second=0, microsecond=0)
    def stamp(moment):
        return moment.strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rovers FC//Fixtures//EN", f"X-WR-CALNAME:{FEED_NAME}"]
    for uid, summary, days in events:
        start = base + timedelta(days=days)
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp(base)}", f"DTSTART:{stamp(start)}",
                  f"DTEND:{stamp(start + timedelta(hours=2))}", f"SUMMARY:{summary}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    previous = os.path.getmtime(path) if os.path.exists(path) else 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")
    moment = max(time.time(), previous + 2)
    os.utime(path, (moment, moment))


def google_titles(calendar_id):
    return sorted(e.get("summary", "") for e in emulator("GET", f"/emulator/calendars/{calendar_id}/events")["items"]
                  if e.get("status") != "cancelled")


def google_calendar_id(syncboard_id):
    """The Google id of a calendar the job form offered (its option's value is Syncboard's id)."""
    with sqlite3.connect(os.environ["SYNCBOARD_BROWSER_DATABASE"]) as db:
        row = db.execute("SELECT google_id FROM calendars WHERE lower(id) = lower(?)", (syncboard_id,)).fetchone()
    expect(row is not None, f"the calendar {syncboard_id} is in the database")
    return row[0]


def add_feed_field(field_id, value):
    box = browser.driver.find_element(By.ID, field_id)
    box.clear()
    box.send_keys(value)


def subscribe_to_a_feed_and_copy_it_into_google():
    """The user adds the club's published calendar on the accounts page (a web page's address is refused next to the
    field first), copies it into a Google calendar of theirs, runs the job: the fixtures arrive at Google. The club
    moves a match; the next run updates the copy. The job page and the dashboard show the feed's health."""
    expect(FEEDS_DIR and FEEDS_URL, "scripts/browser-tests serves the journey's feeds (SYNCBOARD_BROWSER_FEEDS_DIR/URL)")
    with open(os.path.join(FEEDS_DIR, "login.html"), "w", encoding="utf-8") as f:
        f.write("<!doctype html><html><body><h1>Sign in to see the fixtures</h1></body></html>")
    write_feed([("match-1@rovers.example", "Rovers vs United", 3), ("match-2@rovers.example", "Rovers at City", 10)])

    go("/accounts")
    expect("Add a published calendar (ICS)" in text(), "the accounts page offers published calendars")
    add_feed_field("feed-url", FEEDS_URL + "/login.html")
    click_and_wait_for_next_page(browser.driver.find_element(By.ID, "add-feed-button"))
    error = browser.driver.find_element(By.ID, "feed-url-error").text
    expect("iCalendar" in error, f"a web page is refused next to the address field: {error!r}")
    shot("feed-address-refused")

    add_feed_field("feed-url", FEEDS_URL + "/club.ics")
    add_feed_field("feed-refresh", "1")
    click_and_wait_for_next_page(browser.driver.find_element(By.ID, "add-feed-button"))
    expect(FEED_NAME in text() and "refreshed every 1 minute" in text(), "the feed is listed with its own name and interval")
    shot("feed-added")

    go("/jobs/new")
    browser.driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys("Fixtures into Google")
    source = browser.driver.find_element(By.XPATH, f"//select[@name='source']//option[starts-with(normalize-space(.), '{FEED_NAME}')]")
    Select(browser.driver.find_element(By.NAME, "source")).select_by_value(source.get_attribute("value"))
    # The first Google calendar offered as the destination (an account group without "·" is Google's).
    destination = browser.driver.find_element(By.XPATH, "//select[@name='destination']/optgroup[not(contains(@label, '·'))]/option[@value!='']")
    Select(browser.driver.find_element(By.NAME, "destination")).select_by_value(destination.get_attribute("value"))
    found["destination"] = google_calendar_id(destination.get_attribute("value"))
    found["destination_value"] = destination.get_attribute("value")
    box = browser.driver.find_element(By.ID, "field-t-KeepTitle")
    if not box.is_selected():
        browser.driver.find_element(By.CSS_SELECTOR, "label[for='field-t-KeepTitle']").click()
    shot("feed-job-filled")
    click("#save-job")
    browser.wait.until(lambda d: "/jobs/" in d.current_url and "/new" not in d.current_url)
    found["job_path"] = browser.driver.current_url[len(browser.args.app):]
    run_now_and_wait("succeeded")
    titles = google_titles(found["destination"])
    expect("Rovers vs United" in titles and "Rovers at City" in titles, f"the fixtures were copied into Google: {titles}")
    shot("feed-job-run")

    write_feed([("match-1@rovers.example", "Rovers vs United (moved to Sunday)", 4), ("match-2@rovers.example", "Rovers at City", 10)])
    go(found["job_path"])
    run_now_and_wait("succeeded")
    titles = google_titles(found["destination"])
    expect("Rovers vs United (moved to Sunday)" in titles and "Rovers vs United" not in titles, f"the moved match is updated at Google: {titles}")
    go(found["job_path"])
    expect("refreshed every 1 min" in text() and "HTTP 200" in text(), "the job page shows the feed's last fetch")
    shot("feed-job-page")
    go("/")
    section = browser.driver.find_element(By.ID, "feeds").text
    expect(FEED_NAME in section and "Next fetch" in section and "healthy" in section, f"the dashboard shows the feed's health: {section!r}")
    shot("dashboard-feeds")


def a_group_with_a_feed_member():
    """The user replaces the copy job (paused) with a group of the club's feed and their Google calendar: the form
    says the feed is read only; the job page counts one direction, none into the feed; one run makes the fixtures
    busy blocks in the Google calendar (the copy job's copies, the same events of the same feed, become blocks)."""
    expect("destination" in found, "the previous journey added the feed and found a Google calendar")
    # The group replaces the copy job: paused first, so that the two do not write the same copies by turns.
    go(found["job_path"])
    click_and_wait_for_next_page(browser.driver.find_element(By.CSS_SELECTOR, "form[action$='/pause'] button"))
    go("/jobs/new")
    browser.driver.find_element(By.ID, "field-name").send_keys("Club blocks my evenings")
    browser.driver.find_element(By.CSS_SELECTOR, "label[for='field-kind-group']").click()
    browser.wait.until(lambda d: d.find_element(By.ID, "group-calendars").is_displayed())
    feed_label = browser.driver.find_element(By.XPATH, f"//fieldset[@id='group-calendars']//label[strong[normalize-space(.)='{FEED_NAME}']]")
    expect("read only" in feed_label.text and "nothing is written into it" in feed_label.text, f"the feed is offered as read only: {feed_label.text!r}")
    feed_label.click()
    google_box = browser.driver.find_element(By.CSS_SELECTOR, f"#group-calendars input[name='members'][value='{found['destination_value']}']")
    browser.driver.find_element(By.CSS_SELECTOR, f"label[for='{google_box.get_attribute('id')}']").click()
    expect(google_box.is_selected(), "the Google calendar is ticked")
    shot("feed-group-form")
    click_and_wait_for_next_page(browser.driver.find_element(By.ID, "save-job"))
    expect("Sync group" in text() and "(1 direction;" in text() and "nothing is written into it" in text(),
           "the job page says the group writes one direction and never into the feed")
    before = google_titles(found["destination"])
    run_now_and_wait("succeeded")
    expect("Directions (1 of 1 succeeded)" in text(), "one direction, out of the feed; none into it")
    after = google_titles(found["destination"])
    # A group's copies are busy blocks without the title (CalendarSync's placeholder): the copy job's copies of the
    # fixtures, the same events from the same feed, are now blocks.
    expect(not any("Rovers" in title for title in after), f"the fixtures are busy blocks now, without their titles: {after}")
    expect(after.count("CalendarSync Event") == before.count("CalendarSync Event") + 2 and len(after) == len(before),
           f"each fixture is one block in the Google calendar: {before} → {after}")
    shot("feed-group-run")
