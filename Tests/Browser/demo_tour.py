#!/usr/bin/env python3
"""A tour of demo mode (scripts/demo) in headless Chromium: the pages say it is a demo, a demo person signs in
through the emulator, links a second one, creates a job between their calendars, runs it, and sees the copied
events counted on the dashboard; then the demo's published calendar is copied, and blocks time in a group.
Started by scripts/browser-tests after the journeys.
"""
import argparse, re, sys, urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import start, shot, go, text, expect, clickable, click, choose_google_account, choose_calendar, run_now_and_wait, run, emulator

parser = argparse.ArgumentParser()
parser.add_argument("--app", required=True)
parser.add_argument("--emulator", required=True)
parser.add_argument("--artifacts", required=True)
args = parser.parse_args()
driver, wait = start(args.app, args.emulator, args.artifacts)


def the_demo_says_it_is_a_demo():
    go("/")
    expect("Demo mode" in text(), "the sign-in page says it is a demo")
    expect("demo accounts" in text(), "and how to sign in to it")
    shot("demo-sign-in")
    choose_google_account("ada@example.com", clickable("#sign-in-with-google"))
    expect("Demo mode" in text(), "every page says it is a demo")


def a_demo_job_copies_events():
    go("/accounts")
    choose_google_account("grace@example.org", clickable("#link-account"))
    go("/accounts")
    expect("Ada · Engine project" in text() and "Grace · Navy" in text(), "the demo calendars were discovered")
    shot("demo-accounts")
    go("/jobs/new")
    driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys("Engine project → Navy")
    choose_calendar("source", "ada@example.com", "Ada · Engine project")
    choose_calendar("destination", "grace@example.org", "Grace · Navy")
    driver.find_element(By.ID, "cadence-hourly").click()
    click("#save-job")
    wait.until(lambda d: "/jobs/" in d.current_url and "/new" not in d.current_url)
    run_now_and_wait("succeeded")
    created = re.search(r"(\d+) created", text())
    expect(created and int(created.group(1)) > 0, "the demo's events were copied")
    shot("demo-run")
    go("/")
    shot("demo-dashboard")


def the_demo_school_feed_is_copied():
    """The demo serves a school's published calendar of its own (scripts/demo, FEED_PORT: the emulator's port + 2):
    added on Accounts, copied into Grace's Navy calendar, its weekly lessons (one week moved, one cancelled) arrive."""
    port = int(urllib.parse.urlparse(args.emulator).port) + 2
    go("/accounts")
    driver.find_element(By.ID, "feed-url").send_keys(f"http://127.0.0.1:{port}/school.ics")
    click("#add-feed-button")
    wait.until(lambda d: "Hillside Primary" in text())
    shot("demo-feed-added")
    go("/jobs/new")
    driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys("School → Navy")
    source = driver.find_element(By.XPATH, "//select[@name='source']//option[starts-with(normalize-space(.), 'Hillside Primary')]")
    Select(driver.find_element(By.NAME, "source")).select_by_value(source.get_attribute("value"))
    choose_calendar("destination", "grace@example.org", "Grace · Navy")
    if not driver.find_element(By.ID, "field-t-KeepTitle").is_selected():
        driver.find_element(By.CSS_SELECTOR, "label[for='field-t-KeepTitle']").click()
    click("#save-job")
    wait.until(lambda d: "/jobs/" in d.current_url and "/new" not in d.current_url)
    run_now_and_wait("succeeded")
    created = re.search(r"(\d+) created", text())
    expect(created and int(created.group(1)) >= 5, "the school's lessons and days were copied")
    titles = [e.get("summary") for e in emulator("GET", "/emulator/calendars/grace.navy@group.calendar.example/events")["items"]]
    expect("Swimming lesson (Year 3) - moved to Thursday" in titles and "Sports day" in titles,
           f"the weekly lesson's moved week and the all-day events arrived: {titles}")
    shot("demo-feed-run")


def the_demo_school_feed_blocks_time_in_a_group():
    """A group of the school's published calendar (a read-only member) and the Family calendar: the lessons become
    busy blocks in Family, and nothing is written into the feed."""
    family = "family@group.calendar.example"
    before = [e.get("summary") for e in emulator("GET", f"/emulator/calendars/{family}/events")["items"]]
    go("/jobs/new")
    driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys("School blocks family time")
    driver.find_element(By.CSS_SELECTOR, "label[for='field-kind-group']").click()
    wait.until(lambda d: d.find_element(By.ID, "group-calendars").is_displayed())
    feed = driver.find_element(By.XPATH, "//fieldset[@id='group-calendars']//label[strong[starts-with(normalize-space(.), 'Hillside Primary')]]")
    expect("read only" in feed.text, f"the school's feed is offered as a read-only member: {feed.text!r}")
    feed.click()
    driver.find_element(By.XPATH, "//fieldset[@id='group-calendars']//label[strong[normalize-space(.)='Family'] and contains(., 'grace@example.org')]").click()
    shot("demo-feed-group-form")
    click("#save-job")
    wait.until(lambda d: "/jobs/" in d.current_url and "/new" not in d.current_url)
    expect("(1 direction;" in text() and "nothing is written into it" in text(), "the group writes one direction, never into the feed")
    run_now_and_wait("succeeded")
    after = [e.get("summary") for e in emulator("GET", f"/emulator/calendars/{family}/events")["items"]]
    blocks = len(after) - len(before)
    expect(blocks >= 5 and not any("Swimming" in (title or "") for title in after),
           f"the school's lessons and days are busy blocks in Family, without their titles: {before} → {after}")
    shot("demo-feed-group-run")


if __name__ == "__main__":
    sys.exit(run([the_demo_says_it_is_a_demo, a_demo_job_copies_events, the_demo_school_feed_is_copied,
                  the_demo_school_feed_blocks_time_in_a_group]))
