#!/usr/bin/env python3
"""A tour of demo mode (scripts/demo) in headless Chromium: the pages say it is a demo, a demo person signs in
through the emulator, links a second one, creates a job between their calendars, runs it, and sees the copied
events counted on the dashboard. Started by scripts/browser-tests after the journeys.
"""
import argparse, re, sys

from selenium.webdriver.common.by import By

from browser import start, shot, go, text, expect, clickable, click, choose_google_account, choose_calendar, run_now_and_wait, run

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


if __name__ == "__main__":
    sys.exit(run([the_demo_says_it_is_a_demo, a_demo_job_copies_events]))
