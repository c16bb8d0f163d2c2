"""Issue 28 §4: a change in Outlook reaches Google by push. Runs right after
`link_a_microsoft_account_and_copy_outlook_into_google` (journeys.py): Carol has Ada's Outlook account linked.

scripts/browser-tests runs the Microsoft emulator with plain http delivery (--allow-http-notifications) and the app
with SYNCBOARD_PUSH=on, so Graph's validation handshake and change notifications reach the app at SYNCBOARD_BASE_URL.
"""
import time

from selenium.webdriver.common.by import By

import browser
from browser import shot, go, text, expect, clickable, click, emulator, microsoft, choose_calendar, click_and_wait_for_next_page, wait_for_text

ADA = "ada@contoso.example"
CAROL = "carol@example.net"
OUTLOOK_ACCOUNT = f"{ADA} · Microsoft 365, built-in engine only"
ENGINE_TEAM = "AAMkAGdemoTeam"  # Ada's "Engine team" Outlook calendar in the demo world


def a_change_in_outlook_reaches_google_by_push():
    """Carol makes a real-time job from Ada's Outlook "Engine team" calendar into her Google calendar. The job page
    says Microsoft 365 pushes its changes; the emulator holds one Graph subscription on the calendar (validated through
    the app); an event added in Outlook reaches Google within seconds, nobody pressing Run now. Paused at the end, the
    job's subscription is deleted at Graph (and later journeys meet no real-time job of this one's)."""
    name = "Engine team → Carol, in real time"
    go("/jobs/new")
    browser.driver.find_element(By.CSS_SELECTOR, "input[name='name']").send_keys(name)
    choose_calendar("source", OUTLOOK_ACCOUNT, "Engine team")
    choose_calendar("destination", CAROL, "Carol")
    box = browser.driver.find_element(By.ID, "field-t-KeepTitle")
    if not box.is_selected():
        browser.driver.find_element(By.CSS_SELECTOR, "label[for='field-t-KeepTitle']").click()
    browser.driver.find_element(By.ID, "cadence-realtime").click()
    shot("outlook-realtime-job-form")
    click_and_wait_for_next_page(clickable("#save-job"))
    expect(name in text() and "Real time" in text(), "the job is saved with the real-time cadence")
    job_page = browser.driver.current_url

    # The first run copies what is there; Graph's subscription on Engine team is created beside it.
    wait_for_text("Push notifications from Microsoft 365; the subscription renews", timeout=90)
    subscriptions = [s for s in microsoft("GET", "/emulator/subscriptions")["value"] if ENGINE_TEAM in s["resource"]]
    expect(len(subscriptions) == 1, f"Graph holds one subscription on the Outlook calendar: {subscriptions}")
    validations = [n for n in microsoft("GET", "/emulator/notifications")["value"]
                   if n["kind"] == "validation" and n["subscriptionID"] == subscriptions[0]["id"]]
    expect(validations and all(n["status"] == 200 for n in validations), f"the app answered Graph's validation: {validations}")
    shot("outlook-realtime-job-page")

    copies = lambda: [e.get("summary") for e in emulator("GET", f"/emulator/calendars/{CAROL}/events")["items"] if e.get("status") != "cancelled"]
    start = time.time() + 2 * 86400
    stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    changed_at = time.time()
    microsoft("POST", f"/emulator/calendars/{ENGINE_TEAM}/events", {
        "subject": "Release review (pushed)", "start": {"dateTime": stamp(start), "timeZone": "UTC"},
        "end": {"dateTime": stamp(start + 3600), "timeZone": "UTC"}})
    while "Release review (pushed)" not in copies() and time.time() < changed_at + 60:
        time.sleep(0.2)
    arrived = time.time() - changed_at
    expect("Release review (pushed)" in copies(), "the Outlook change reached Google")
    # Seconds, not the 15-minute safety poll (a wide margin for a loaded machine; typically 1-3 s).
    expect(arrived < 30, f"the copy was written {arrived:.1f}s after the change")
    print(f"browser: the Outlook change reached Google in {arrived:.1f}s", flush=True)
    notified = [n for n in microsoft("GET", "/emulator/notifications")["value"] if n["kind"] == "change" and n["subscriptionID"] == subscriptions[0]["id"]]
    expect(any(n.get("status") == 202 for n in notified), f"the app answered Graph's notification 202: {notified}")
    go(job_page.replace(browser.args.app, ""))
    shot("outlook-realtime-job-after-push")

    click_and_wait_for_next_page(clickable("form[action$='/pause'] button"))
    deadline = time.time() + 30
    while time.time() < deadline and any(ENGINE_TEAM in s["resource"] for s in microsoft("GET", "/emulator/subscriptions")["value"]):
        time.sleep(0.5)
    expect(not any(ENGINE_TEAM in s["resource"] for s in microsoft("GET", "/emulator/subscriptions")["value"]),
           "pausing the job deleted its subscription at Graph")
    shot("outlook-realtime-job-paused")


JOURNEYS = [a_change_in_outlook_reaches_google_by_push]
