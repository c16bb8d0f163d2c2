"""Shared by the browser journeys: a headless Chromium driven by Selenium, screenshots of every step, waits that
never look at the page a click is leaving, the Google emulator's account chooser and control API, and a runner.

`start(app, emulator, artifacts)` opens the browser; the helpers below then act on it.
"""
import json, shutil, sys, time, traceback, urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


class Args:
    app = emulator = artifacts = None


args = Args()
driver = None
wait = None
step_number = 0


def start(app, emulator, artifacts):
    global driver, wait
    args.app, args.emulator, args.artifacts = app, emulator, artifacts
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    wait = WebDriverWait(driver, 20)
    return driver, wait


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
    """The page's text; empty while a reload has no body yet."""
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException:  # no body yet, or a document being replaced
        return ""


def expect(condition, message):
    if not condition:
        raise AssertionError(f"{message} (page {driver.current_url}: {text()[:600]!r})")


def clickable(css):
    return wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))


def click(css):
    clickable(css).click()


def emulator(method, path, body=None):
    """Calls the emulator's control API."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(args.emulator + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def click_and_wait_for_next_page(element):
    """Clicks and waits until a new document has loaded: the old one is marked first, because Chromium reports
    elements of a document being replaced inconsistently (stale, or an inspector error)."""
    driver.execute_script("window.__leaving = true;")
    element.click()

    def arrived(d):
        try:
            return d.execute_script("return window.__leaving !== true && document.readyState === 'complete';")
        except WebDriverException:
            return False
    wait.until(arrived)


def choose_google_account(email, start):
    """Clicks `start` (an element that sends the browser to Google) and answers the emulator's account chooser as
    `email`; the chooser appears unless Google approves silently."""
    click_and_wait_for_next_page(start)
    if driver.find_elements(By.ID, f"choose-{email}"):
        shot(f"google-chooser-{email.split('@')[0]}")
        click_and_wait_for_next_page(clickable(f"button[id='choose-{email}']"))
    wait.until(lambda d: d.current_url.startswith(args.app))


def choose_calendar(field, account, summary):
    """Picks a calendar in the job form's select, under its account's group."""
    option = driver.find_element(By.XPATH, f"//select[@name='{field}']/optgroup[@label='{account}']/option[starts-with(normalize-space(.), '{summary}')]")
    Select(driver.find_element(By.NAME, field)).select_by_value(option.get_attribute("value"))


def run_now_and_wait(expected, timeout=60):
    """Presses Run now on the job page and waits on the run page until the run has ended as `expected`."""
    click("form[action$='/run'] button")
    wait.until(lambda d: "/runs/" in d.current_url)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            # Read in one script: the page reloads itself when an active run ends, so an element found a moment
            # earlier may already belong to the old document.
            status = driver.execute_script("var e = document.getElementById('run-status'); return e ? [e.textContent] : [];")
            status = [value.strip().lower() for value in status]
        except WebDriverException:
            time.sleep(0.2)
            continue
        if status and status[0] not in ("", "queued", "running"):
            expect(status[0] == expected, f"the run ended as {expected}")
            return
        time.sleep(0.5)
        driver.refresh()
    raise AssertionError(f"the run did not end within {timeout}s: {text()[:600]!r}")


def wait_for_text(needle, reload=True, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if needle in text():
            return
        time.sleep(0.5)
        if reload:
            driver.refresh()
    raise AssertionError(f"waited {timeout}s for {needle!r} on {driver.current_url}: {text()[:600]!r}")



def iso(days=0, hour=9):
    day = time.gmtime(time.time() + days * 86400)
    return time.strftime(f"%Y-%m-%dT{hour:02d}:00:00Z", day)


def run(journeys, only=None):
    failures = 0
    try:
        for journey in journeys:
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
            if only and only in journey.__name__:
                break
    finally:
        driver.quit()
    print(f"browser: screenshots in {args.artifacts}", flush=True)
    return 1 if failures else 0


