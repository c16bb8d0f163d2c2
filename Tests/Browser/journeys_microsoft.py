"""The Microsoft 365 journeys (issue 28) after `link_a_microsoft_account_and_copy_outlook_into_google`: Carol, with
Ada's Outlook account (the Microsoft emulator's demo world) linked, copies a Google calendar into Outlook and sees a
change in Google update the copy; makes a group of two Google calendars and an Outlook calendar; and, when Microsoft
no longer accepts Syncboard's access, is told to reconnect (on the pages and by email) and reconnects.

Registered in journeys.py's JOURNEYS. What the copies look like on Outlook's side is read through the Microsoft
emulator's control API (browser.microsoft), Google's through the Google emulator's (browser.emulator).
"""
import re, time
from datetime import datetime, timezone

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

import browser
from browser import (shot, go, text, expect, clickable, click, emulator, microsoft, choose_google_account, choose_calendar,
                     run_now_and_wait, iso, click_and_wait_for_next_page, check_accessibility, emails, wait_for_email)

ADA = "ada@contoso.example"
CAROL = "carol@example.net"
OUTLOOK_ACCOUNT = f"{ADA} · Microsoft 365, built-in engine only"  # the job form's group of Ada's calendars
ENGINE_TEAM = "AAMkAGdemoTeam"  # Ada's second Outlook calendar in the demo world

# The jobs these journeys make, by name → their page's path (the later journeys use the first one's).
jobs = {}


def account_card(email):
    return f"//section[contains(@class,'card')][.//h2[contains(., '{email}')]]"


def refresh_calendars(email):
    """Presses “Refresh calendars” on the account's card (Syncboard lists the account's calendars again)."""
    go("/accounts")
    click_and_wait_for_next_page(browser.wait.until(EC.element_to_be_clickable(
        (By.XPATH, account_card(email) + "//form[contains(@action,'/refresh')]//button"))))


def outlook_events(calendar_id):
    """The events stored in an Outlook calendar, as Syncboard (or Ada) wrote them, cancelled ones left out."""
    return [e for e in microsoft("GET", f"/emulator/calendars/{calendar_id}/events")["value"] if not e.get("isCancelled")]


def google_events(calendar_id):
    return [e for e in emulator("GET", f"/emulator/calendars/{calendar_id}/events")["items"] if e.get("status") != "cancelled"]


def outlook_time(value):
    """A Graph dateTimeTimeZone as an instant (Syncboard writes UTC; the emulator keeps what was sent)."""
    expect(value.get("timeZone") in ("UTC", "Etc/GMT", None), f"Syncboard writes Outlook times in UTC: {value}")
    return datetime.fromisoformat(value["dateTime"][:19]).replace(tzinfo=timezone.utc).timestamp()


def google_time(value):
    return datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00")).timestamp()


def graph_time(days, hour):
    """A Graph dateTimeTimeZone `days` from today at `hour` UTC."""
    return {"dateTime": iso(days=days, hour=hour)[:-1], "timeZone": "UTC"}


def job_card(name):
    """The job's card on the dashboard (its id is the job's, in either case)."""
    job = jobs[name].rsplit("/", 1)[1]
    return browser.driver.find_element(By.CSS_SELECTOR, f"[id='job-{job.upper()}'], [id='job-{job.lower()}']")


def save_job(name):
    click("#save-job")
    browser.wait.until(lambda d: "/jobs/" in d.current_url and "/new" not in d.current_url)
    check_accessibility()
    expect(name in text(), f"the job “{name}” is saved")
    jobs[name] = "/jobs/" + browser.driver.current_url.split("/jobs/", 1)[1].split("?")[0]


def a_google_calendar_copied_into_outlook():
    """Carol copies her Google “Evenings” calendar into Ada's Outlook “Engine team” calendar: the copies arrive in
    Outlook without their attendees (Outlook would send them invitations), each created with a transactionId; a
    change made in Google afterwards updates the copy in place on the next run, no second copy."""
    name = "Evenings to Outlook"
    source = "evenings-carol@group.calendar.google.com"
    emulator("POST", "/emulator/calendars", {"id": source, "summary": "Carol · Evenings", "timeZone": "Europe/London",
                                             "backgroundColor": "#16a765", "roles": {CAROL: "owner"}})
    book_club = emulator("POST", f"/emulator/calendars/{source}/events", {
        "summary": "Book club", "start": {"dateTime": iso(days=2, hour=18)}, "end": {"dateTime": iso(days=2, hour=19)},
        "attendees": [{"email": CAROL, "responseStatus": "accepted", "self": True, "organizer": True},
                      {"email": "alice@example.com", "responseStatus": "needsAction"}, {"email": "bob@example.org", "responseStatus": "accepted"}]})
    emulator("POST", f"/emulator/calendars/{source}/events",
             {"summary": "Pottery class", "start": {"dateTime": iso(days=3, hour=19)}, "end": {"dateTime": iso(days=3, hour=21)}})
    refresh_calendars(CAROL)
    expect("Carol · Evenings" in browser.driver.find_element(By.XPATH, account_card(CAROL)).text, "the calendar made on Google is listed")

    go("/jobs/new")
    browser.driver.find_element(By.ID, "field-name").send_keys(name)
    choose_calendar("source", CAROL, "Carol · Evenings")
    choose_calendar("destination", OUTLOOK_ACCOUNT, "Engine team")
    box = browser.driver.find_element(By.ID, "field-t-KeepTitle")
    if not box.is_selected():
        browser.driver.find_element(By.CSS_SELECTOR, "label[for='field-t-KeepTitle']").click()
    shot("google-to-outlook-job-filled")
    save_job(name)
    page = text()
    expect("Carol · Evenings" in page and "Engine team" in page and ADA in page, f"the job page names both calendars and Ada's account: {page[:600]!r}")
    shot("google-to-outlook-job-page")
    go(jobs[name] + "/config")
    expect("“Engine team” (Microsoft 365) is reached by Syncboard's" in text(), "the configuration says CalendarSync is not what reaches the Outlook calendar")
    shot("google-to-outlook-config")
    go(jobs[name])

    run_now_and_wait("succeeded")
    expect(re.search(r"2 created", text()), f"the run created two copies: {text()[:600]!r}")
    shot("google-to-outlook-run")
    copies = {e["subject"]: e for e in outlook_events(ENGINE_TEAM) if e.get("subject") in ("Book club", "Pottery class")}
    expect(sorted(copies) == ["Book club", "Pottery class"], f"both Google events were copied into Outlook: {sorted(copies)}")
    for copy in copies.values():
        expect(not copy.get("attendees"), f"a copy invites no one (no attendees were written): {copy.get('attendees')}")
        expect(copy.get("transactionId"), f"a copy was created with a transactionId (a retried POST makes no second event): {copy['subject']}")
    expect(outlook_time(copies["Book club"]["start"]) == google_time(book_club["start"]), "the copy is at the original's time")

    # Carol moves the book club an hour later and renames it, in Google.
    moved = emulator("PATCH", f"/emulator/calendars/{source}/events/{book_club['id']}",
                     {"summary": "Book club (moved)", "start": {"dateTime": iso(days=2, hour=19)}, "end": {"dateTime": iso(days=2, hour=20)}})
    go(jobs[name])
    run_now_and_wait("succeeded")
    expect(re.search(r"1 updated", text()), f"the second run updated the copy: {text()[:600]!r}")
    shot("google-to-outlook-second-run")
    after = [e for e in outlook_events(ENGINE_TEAM) if e.get("subject", "").startswith(("Book club", "Pottery class"))]
    expect(sorted(e["subject"] for e in after) == ["Book club (moved)", "Pottery class"], f"the copy is updated, not duplicated: {[e['subject'] for e in after]}")
    updated = next(e for e in after if e["subject"] == "Book club (moved)")
    expect(updated["id"] == copies["Book club"]["id"], "the same Outlook event was updated")
    expect(outlook_time(updated["start"]) == google_time(moved["start"]), "the copy moved with its original")
    expect(not updated.get("attendees"), "the updated copy still invites no one")


def a_mixed_group_of_three_blocks_time_in_each():
    """A group of two Google calendars and an Outlook calendar: one run makes a busy block in each calendar for each
    other calendar's own event (six directions across Google and Microsoft 365); a second run changes nothing (blocks
    are never copied on, so nothing comes back)."""
    name = "Carol and Ada busy"
    choir, garden, band = "choir-carol@group.calendar.google.com", "garden-carol@group.calendar.google.com", "AAMkAGdemoBand"
    for calendar_id, summary in ((choir, "Carol · Choir"), (garden, "Carol · Garden")):
        emulator("POST", "/emulator/calendars", {"id": calendar_id, "summary": summary, "timeZone": "Europe/London",
                                                 "backgroundColor": "#cd74e6", "roles": {CAROL: "owner"}})
    microsoft("POST", "/emulator/calendars", {"id": band, "name": "Band", "owner": ADA, "hexColor": "#107c10"})
    refresh_calendars(CAROL)
    refresh_calendars(ADA)
    expect("Band" in browser.driver.find_element(By.XPATH, account_card(ADA)).text, "the calendar made in Outlook is listed under Ada's account")
    # Each member's own event: an hour on a day of its own.
    starts = {}
    for day, calendar_id in enumerate((choir, garden), start=4):
        event = emulator("POST", f"/emulator/calendars/{calendar_id}/events",
                         {"summary": f"{calendar_id.split('-')[0]} practice", "start": {"dateTime": iso(days=day, hour=8)}, "end": {"dateTime": iso(days=day, hour=9)}})
        starts[calendar_id] = google_time(event["start"])
    gig = microsoft("POST", f"/emulator/calendars/{band}/events", {"subject": "Band rehearsal", "start": graph_time(6, 8), "end": graph_time(6, 9)})
    starts[band] = outlook_time(gig["start"])

    go("/jobs/new")
    browser.driver.find_element(By.ID, "field-name").send_keys(name)
    browser.driver.find_element(By.CSS_SELECTOR, "label[for='field-kind-group']").click()
    browser.wait.until(lambda d: d.find_element(By.ID, "group-calendars").is_displayed())
    for summary, account in (("Carol · Choir", CAROL), ("Carol · Garden", CAROL), ("Band", ADA)):
        label = browser.driver.find_element(
            By.XPATH, f"//fieldset[@id='group-calendars']//label[strong[normalize-space(.)='{summary}'] and contains(., '{account}')]")
        label.click()
        expect(browser.driver.find_element(By.ID, label.get_attribute("for")).is_selected(), f"{summary} is ticked")
    shot("mixed-group-form")
    save_job(name)
    expect("Sync group" in text() and "6 directions" in text(), "the job page says it is a group of six directions")
    shot("mixed-group-job-page")

    def counts():
        return {choir: len(google_events(choir)), garden: len(google_events(garden)), band: len(outlook_events(band))}

    run_now_and_wait("succeeded")
    rows = browser.driver.find_elements(By.CSS_SELECTOR, "#run-directions tbody tr")
    expect(len(rows) == 6 and all("succeeded" in row.text for row in rows), f"six directions succeeded: {[row.text for row in rows]}")
    expect(sum("Band" in row.text for row in rows) == 4, "four of them go to or from the Outlook calendar")
    shot("mixed-group-run")
    for calendar_id in (choir, garden, band):
        others = sorted(at for other, at in starts.items() if other != calendar_id)
        if calendar_id == band:
            blocks = [e for e in outlook_events(band) if e["subject"] != "Band rehearsal"]
            at = sorted(outlook_time(e["start"]) for e in blocks)
            titles = [e.get("subject", "") for e in blocks]
            expect(all(not e.get("attendees") for e in blocks), "the blocks in Outlook invite no one")
        else:
            blocks = [e for e in google_events(calendar_id) if google_time(e["start"]) != starts[calendar_id]]
            at = sorted(google_time(e["start"]) for e in blocks)
            titles = [e.get("summary", "") for e in blocks]
        expect(at == others, f"{calendar_id} has a block at the time of each other member's event: {at} (expected {others})")
        expect(not any("practice" in t or "rehearsal" in t for t in titles), f"the blocks in {calendar_id} do not carry the titles: {titles}")
    first = counts()
    expect(first == {choir: 3, garden: 3, band: 3}, f"each calendar holds its own event and two blocks: {first}")

    go(jobs[name])
    run_now_and_wait("succeeded")
    expect("Directions (6 of 6 succeeded)" in text(), "the second run's six directions succeeded")
    expect(counts() == first, f"a second run copies nothing back: {counts()} (after the first: {first})")
    shot("mixed-group-second-run")


def a_revoked_microsoft_grant_asks_to_reconnect():
    """Microsoft revokes Syncboard's access to Ada's account: the next run of the Outlook job ends “needs reconnect”
    and says what to do; the accounts page and the dashboard ask to reconnect Ada's Microsoft 365 account; an email
    says so; reconnecting through Microsoft's consent clears it and the next run succeeds."""
    name = "Evenings to Outlook"
    go("/settings/notifications")
    Select(browser.driver.find_element(By.ID, "digest-minutes")).select_by_value("0")
    click_and_wait_for_next_page(clickable("#save-preferences"))
    before = len(emails(CAROL))

    microsoft("POST", "/emulator/revoke", {"email": ADA})
    # A new evening in Google: the run has a copy to write into Outlook (a run with nothing to write reads only
    # Google, and learns nothing of Ada's grant; the daily account check does).
    emulator("POST", "/emulator/calendars/evenings-carol@group.calendar.google.com/events",
             {"summary": "Quiz night", "start": {"dateTime": iso(days=4, hour=19)}, "end": {"dateTime": iso(days=4, hour=21)}})
    go(jobs[name])
    run_now_and_wait("needs reconnect")
    error = browser.driver.find_element(By.ID, "run-error").text
    advice = browser.driver.find_element(By.ID, "run-advice").text
    expect("Microsoft 365" in error and ADA in error, f"the run says Microsoft 365 no longer accepts the access to Ada's account: {error!r}")
    expect("Google" not in error, f"the error does not blame Google: {error!r}")
    expect(f"Reconnect {ADA}" in advice and "Microsoft 365" in advice, f"and says the next step, naming the account and its service: {advice!r}")
    shot("outlook-run-needs-reconnect")

    go("/")
    notice = job_card(name).find_element(By.CSS_SELECTOR, ".notice-warning")
    expect(ADA in notice.text and "Microsoft 365" in notice.text, f"the dashboard names the account and its service: {notice.text!r}")
    shot("dashboard-outlook-needs-reconnect")

    mail = wait_for_email(CAROL, f"reconnect {ADA}", after=before)
    body = mail["text"] + (mail["html"] or "")
    expect("Microsoft 365" in mail["headers"]["Subject"] + mail["text"], f"the email names Microsoft 365: {mail['headers']['Subject']!r}")
    expect("Google" not in mail["headers"]["Subject"], f"the email's subject does not name Google: {mail['headers']['Subject']!r}")
    expect(not re.search(r"sbp_|M\.R3|eyJ[A-Za-z0-9_-]{20,}|refresh_token|access_token", body), "no token in the email")
    with open(f"{browser.args.artifacts}/reconnect-email-ada.txt", "w", encoding="utf-8") as kept:  # to read what Carol got
        kept.write(f"Subject: {mail['headers']['Subject']}\n\n{mail['text']}")
    links = re.findall(re.escape(browser.args.app) + r"/accounts[^\s\]>)\"]*", mail["text"])
    expect(links, f"the email links to the accounts page: {mail['text'][:600]!r}")
    browser.driver.get(links[0])
    check_accessibility()
    card = browser.driver.find_element(By.XPATH, account_card(ADA))
    expect("needs reconnect" in card.text and "Microsoft 365 no longer accepts" in card.text, f"Ada's card asks to reconnect: {card.text!r}")
    shot("accounts-outlook-needs-reconnect")

    reconnect = browser.wait.until(EC.element_to_be_clickable((By.XPATH, account_card(ADA) + "//form[contains(@action,'/reconnect')]//button")))
    choose_google_account(ADA, reconnect)  # the Microsoft emulator's consent page, as the Google emulator's chooser
    go("/accounts")
    card = browser.driver.find_element(By.XPATH, account_card(ADA)).text
    expect("needs reconnect" not in card and "connected" in card, f"Ada's account is connected again: {card!r}")
    shot("accounts-outlook-reconnected")

    go(jobs[name])
    run_now_and_wait("succeeded")
    expect(any(e.get("subject") == "Quiz night" for e in outlook_events(ENGINE_TEAM)), "the run after reconnecting wrote the copy it could not write before")
    shot("outlook-job-after-reconnect")
    all_clear = wait_for_email(CAROL, "All clear", after=before)
    expect(name in all_clear["headers"]["Subject"] or ADA in all_clear["headers"]["Subject"],
           f"the all-clear names what works again: {all_clear['headers']['Subject']!r}")
    go("/")
    expect(not browser.driver.find_elements(By.CSS_SELECTOR, ".job-card .reconnect-link"), "the dashboard no longer asks to reconnect")
    shot("dashboard-outlook-reconnected")


JOURNEYS = [a_google_calendar_copied_into_outlook, a_mixed_group_of_three_blocks_time_in_each, a_revoked_microsoft_grant_asks_to_reconnect]
