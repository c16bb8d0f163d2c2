"""Shared by the browser journeys: a headless Chromium driven by Selenium, screenshots of every step, waits that
never look at the page a click is leaving, the Google emulator's account chooser and control API, and a runner.

Every Syncboard page a journey visits is checked with axe-core (`check_accessibility`, run by `go`, `shot` and the
waits that land on a new page), in the light and the dark colour scheme; any violation fails the journey. The axe
script comes from the installed axe-selenium-python package, never from the network.

`start(app, emulator, artifacts)` opens the browser; the helpers below then act on it.
"""
import glob, json, os, shutil, sys, time, traceback, urllib.request

import axe_selenium_python

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


class Args:
    app = emulator = artifacts = microsoft = mail = None


args = Args()
driver = None
wait = None
step_number = 0


def start(app, emulator, artifacts, microsoft=None, mail=None):
    """`microsoft`: the Microsoft emulator (its control API); `mail`: where the test SMTP server writes what it accepts."""
    global driver, wait
    args.app, args.emulator, args.artifacts, args.microsoft, args.mail = app, emulator, artifacts, microsoft, mail
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(120)  # axe on a long page of a loaded machine
    wait = WebDriverWait(driver, 45)
    return driver, wait


def shot(name, full_page=True):
    """Checks the current page with axe, then saves a screenshot of it as NN-name.png: of the whole page, or of what
    is in view (where keyboard focus is, as the browser scrolls the focused element into view)."""
    global step_number
    check_accessibility()
    step_number += 1
    if not full_page:
        driver.save_screenshot(f"{args.artifacts}/{step_number:02d}-{name}.png")
        return
    height = driver.execute_script("return Math.max(document.documentElement.scrollHeight, 900)")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": min(height, 5000), "deviceScaleFactor": 1, "mobile": False})
    driver.save_screenshot(f"{args.artifacts}/{step_number:02d}-{name}.png")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def go(path):
    driver.get(args.app + path)
    check_accessibility()


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


def emulator(method, path, body=None, base=None):
    """Calls the Google emulator's control API (or, with `base`, another emulator's)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request((base or args.emulator) + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def microsoft(method, path, body=None):
    """Calls the Microsoft emulator's control API (Sources/MicrosoftEmulator/ControlRoutes.swift lists it)."""
    return emulator(method, path, body, base=args.microsoft)


def emails(to):
    """What the test SMTP server accepted for `to`, oldest first."""
    messages = []
    for path in sorted(glob.glob(os.path.join(args.mail, "[0-9]*.json"))):
        with open(path) as f:
            message = json.load(f)
        if to in message["rcpt_tos"]:
            messages.append(message)
    return messages


def wait_for_email(to, subject_part, after=0, timeout=90):
    """The first email to `to` past the first `after`, whose subject contains `subject_part`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for message in emails(to)[after:]:
            if subject_part in message["headers"].get("Subject", ""):
                return message
        time.sleep(0.5)
    raise AssertionError(f"no email to {to} about {subject_part!r} within {timeout}s; "
                         f"subjects: {[m['headers'].get('Subject') for m in emails(to)]}")


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
    check_accessibility()


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
            check_accessibility()
            return
        time.sleep(0.5)
        driver.refresh()
    raise AssertionError(f"the run did not end within {timeout}s: {text()[:600]!r}")


def wait_for_text(needle, reload=True, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if needle in text():
            check_accessibility()
            return
        time.sleep(0.5)
        if reload:
            driver.refresh()
    raise AssertionError(f"waited {timeout}s for {needle!r} on {driver.current_url}: {text()[:600]!r}")


# --- accessibility: axe-core on every page ------------------------------------------------------------------------

AXE_SCRIPT = os.path.join(os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js")
with open(AXE_SCRIPT, encoding="utf-8") as _file:
    AXE_SOURCE = _file.read()

# Runs axe on the document with every rule it has for WCAG 2.0-2.2 A and AA switched on (some are off by default)
# besides its default rules (best practices such as landmarks and heading order), and returns the violations.
# When the page is unchanged since its last check (a MutationObserver says so), it answers "unchanged" instead.
AXE_RUN = """
var done = arguments[arguments.length - 1], only = arguments[0], force = arguments[1];
if (!force && window.__axeClean === true) { done({unchanged: true}); return; }
var options = {resultTypes: ["violations"]};
if (only) {
  options.runOnly = {type: "rule", values: only};
} else {
  options.rules = {};
  axe.getRules(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]).forEach(function (rule) {
    options.rules[rule.ruleId] = {enabled: true};
  });
}
axe.run(document, options).then(function (results) {
  if (!window.__axeObserver) {
    window.__axeObserver = new MutationObserver(function () { window.__axeClean = false; });
    window.__axeObserver.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  }
  if (!only) { window.__axeClean = true; }
  done({version: axe.version, violations: results.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map(function (n) {
      return {target: n.target, summary: n.failureSummary};
    })};
  })});
}, function (error) { done({error: String(error)}); });
"""

# Colour contrast is checked again with the dark colour scheme, which has a palette of its own.
DARK_SCHEME_RULES = ["color-contrast", "link-in-text-block"]


def _axe(only=None, force=False):
    """One axe run on the current document; retried when the document is replaced meanwhile (a run page reloads
    itself when its run ends)."""
    for attempt in range(5):
        try:
            driver.execute_script("if (!window.axe) {" + AXE_SOURCE + "\n}")
            result = driver.execute_async_script(AXE_RUN, only, force)
        except WebDriverException as error:
            if attempt == 4:
                raise
            wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
            continue
        if result.get("error"):
            raise AssertionError(f"axe could not check {driver.current_url}: {result['error']}")
        if not result.get("unchanged") and not result.get("version", "").startswith("4."):
            raise AssertionError(f"axe-core 4 is expected, axe-selenium-python has {result.get('version')}")
        return result
    raise AssertionError("unreachable")


def _describe(violations, scheme):
    lines = [f"axe found {len(violations)} accessibility violation(s) on {driver.current_url} "
             f"({driver.title!r}, {scheme} colour scheme):"]
    for violation in violations:
        lines.append(f"  - {violation['id']} [{violation['impact']}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            summary = " ".join((node.get("summary") or "").split())
            lines.append(f"      at {' > '.join(node['target'])}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


checked_pages = []


def check_accessibility(force=False):
    """Fails when axe reports any violation on the current Syncboard page, in the light or the dark colour scheme.
    Pages of the Google emulator (standing in for Google's own) are not Syncboard's and are left out."""
    if not driver.current_url.startswith(args.app):
        return
    light = _axe(force=force)
    if light.get("unchanged"):
        return
    if light["violations"]:
        raise AssertionError(_describe(light["violations"], "light"))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        dark = _axe(only=DARK_SCHEME_RULES, force=True)
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    if dark["violations"]:
        raise AssertionError(_describe(dark["violations"], "dark"))
    checked_pages.append(driver.current_url)


# --- the keyboard: real key presses (Tab, Shift+Tab, Enter, Space, arrows), focus checked on every step --------------

# Describes document.activeElement after a key press: whether it followed the previous one in document order (or
# preceded it, going backwards), whether its focus indicator shows (an outline of 2px or more, or a box-shadow),
# the contrast of an outline against the background around it (WCAG 1.4.11 asks 3:1), and whether it is inside
# the viewport and not covered by something else (WCAG 2.4.11).
FOCUS_STATE = """
var backwards = arguments[0], ordered = arguments[1], el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) { return {none: true}; }
var previous = window.__keyboardPrevious, inOrder = true;
if (ordered && previous && previous !== el && previous.isConnected) {
  var position = previous.compareDocumentPosition(el);
  inOrder = backwards ? !!(position & Node.DOCUMENT_POSITION_PRECEDING) : !!(position & Node.DOCUMENT_POSITION_FOLLOWING);
}
window.__keyboardPrevious = el;
function rgb(text) {
  var m = /rgba?\\(([^)]+)\\)/.exec(text || ""); if (!m) { return null; }
  var p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
}
function luminance(c) {
  var f = function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
function backgroundAround(node) {
  for (var n = node.parentElement; n; n = n.parentElement) {
    var c = rgb(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) { return c; }
  }
  return {r: 255, g: 255, b: 255, a: 1};
}
var style = getComputedStyle(el), outlineWidth = parseFloat(style.outlineWidth) || 0;
var outline = style.outlineStyle !== "none" && outlineWidth >= 2;
var shadow = !!style.boxShadow && style.boxShadow !== "none";
var contrast = null;
if (outline) {
  var a = luminance(rgb(style.outlineColor)), b = luminance(backgroundAround(el));
  contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
var r = el.getBoundingClientRect();
var inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
var x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
var top = document.elementFromPoint(x, y);
var covered = !(top && (top === el || el.contains(top) || (el.labels && Array.prototype.some.call(el.labels, function (l) { return l.contains(top); }))));
var label = (el.getAttribute("aria-label") || el.innerText || el.value || el.getAttribute("title") || "").trim().replace(/\\s+/g, " ").slice(0, 50);
return {tag: el.tagName.toLowerCase(), id: el.id, label: label, inOrder: inOrder, outline: outline, shadow: shadow,
        contrast: contrast, inView: inView, covered: covered, outlineText: style.outlineStyle + " " + style.outlineWidth + " " + style.outlineColor,
        positiveTabindex: Array.prototype.filter.call(document.querySelectorAll("[tabindex]"), function (e) { return e.tabIndex > 0; }).length};
"""

focus_trail = []


def _name(state):
    return f"{state['tag']}{'#' + state['id'] if state['id'] else ''} “{state['label']}”"


def press(*keys):
    """Presses keys on whatever has focus, as a person at the keyboard would (no element is clicked)."""
    ActionChains(driver).send_keys(*keys).perform()


def shift_tab():
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()


def focused(backwards=False, ordered=True):
    """Checks where focus is now: on Syncboard's pages it must show a focus indicator with 3:1 contrast, be in view
    and uncovered, and (when `ordered`, i.e. after Tab) have moved forwards, or backwards after Shift+Tab, in document
    order; no element may have a positive tabindex."""
    state = driver.execute_script(FOCUS_STATE, backwards, ordered)
    if state.get("none"):
        raise AssertionError(f"focus left the page's controls on {driver.current_url}; focus went: {' → '.join(focus_trail[-12:])}")
    focus_trail.append(_name(state))
    if driver.current_url.startswith(args.app):
        where = f"{_name(state)} on {driver.current_url} (focus went: {' → '.join(focus_trail[-8:])})"
        expect(state["positiveTabindex"] == 0, f"no element has a positive tabindex, which would upset the order: {where}")
        expect(state["inOrder"], f"focus moved {'backwards' if backwards else 'forwards'} in document order: {where}")
        expect(state["outline"] or state["shadow"], f"the focused element shows a focus indicator (outline: {state['outlineText']}): {where}")
        expect(state["contrast"] is None or state["contrast"] >= 3,
               f"its focus outline has 3:1 contrast with the background ({state['contrast']:.2f}): {where}" if state["contrast"] else where)
        expect(state["inView"] and not state["covered"], f"the focused element is in view and not covered: {where}")
    return state


def tab_to(css, backwards=False, limit=150):
    """Presses Tab (Shift+Tab when `backwards`) until the focused element matches `css`, checking focus on every stop."""
    for _ in range(limit):
        shift_tab() if backwards else press(Keys.TAB)
        focused(backwards)
        if driver.execute_script("return document.activeElement.matches(arguments[0]);", css):
            return driver.switch_to.active_element
    raise AssertionError(f"{css} was not reached with {'Shift+' if backwards else ''}Tab in {limit} presses on {driver.current_url}; "
                         f"focus went: {' → '.join(focus_trail[-20:])}")


def press_and_wait_for_next_page(key=Keys.ENTER):
    """Presses `key` on the focused link or button and waits until the next document has loaded (see
    click_and_wait_for_next_page), then checks it with axe."""
    driver.execute_script("window.__leaving = true;")
    press(key)

    def arrived(d):
        try:
            return d.execute_script("return window.__leaving !== true && document.readyState === 'complete';")
        except WebDriverException:
            return False
    wait.until(arrived)
    focus_trail.append(f"[{driver.current_url}]")
    check_accessibility()


def choose_with_arrow_keys(account, summary, limit=40):
    """With a calendar select focused, presses the down arrow until the calendar `summary` of `account` is chosen
    (the arrow keys change a closed select's choice, as a keyboard user does it)."""
    chosen = None
    for _ in range(limit):
        press(Keys.ARROW_DOWN)
        chosen = driver.execute_script(
            "var o = document.activeElement.selectedOptions[0]; return o ? [o.parentElement.label || '', o.textContent.trim()] : null;")
        if chosen and chosen[0] == account and chosen[1].startswith(summary):
            focused()
            return
    raise AssertionError(f"the arrow keys did not reach {summary} of {account} (last chosen: {chosen})")


def iso(days=0, hour=9):
    day = time.gmtime(time.time() + days * 86400)
    return time.strftime(f"%Y-%m-%dT{hour:02d}:00:00Z", day)


def keep_failure_evidence(name):
    """What a failed journey left on screen: a screenshot, the page's source and its address in the artifacts.
    No axe check here (it may be what failed), and nothing that goes wrong here hides the journey's own error."""
    try:
        base = f"{args.artifacts}/FAILED-{name}"
        driver.save_screenshot(f"{base}.png")
        with open(f"{base}.html", "w", encoding="utf-8") as page:
            page.write(f"<!-- {driver.current_url} -->\n{driver.page_source}")
        print(f"browser: the failed page ({driver.current_url}) is kept as {base}.png and {base}.html", flush=True)
    except Exception as error:  # the browser itself may be what broke
        print(f"browser: could not keep the failed page: {error}", flush=True)


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
                keep_failure_evidence(journey.__name__)
                break  # the journeys build on each other
            if only and only in journey.__name__:
                break
    finally:
        driver.quit()
    print(f"browser: axe-core passed {len(checked_pages)} page views "
          f"({len(set(url.split('?')[0] for url in checked_pages))} distinct URLs)", flush=True)
    print(f"browser: screenshots in {args.artifacts}", flush=True)
    return 1 if failures else 0


