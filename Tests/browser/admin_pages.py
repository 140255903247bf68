#!/usr/bin/env python3
"""The admin pages in a real browser (issue 7): headless Chromium, driven by Selenium through chromedriver, signs in
through the login form of a running custodyd and checks each page's content; one full-page screenshot per page.

Run by Tests/CustodyCLITests/AdminBrowserTests.swift (part of `make test`), which builds the station and passes:
    CUSTODY_URL           http://127.0.0.1:PORT of custodyd's listener
    CUSTODY_TOKEN         an admin token (from the environment, so it never shows in `ps`)
    CUSTODY_EXPECT        a JSON object: digest, gap_entry, gap_kind, officer_name, officer_certificate, recorder
    CUSTODY_ARTIFACTS     the folder for the screenshots (created)
Exits 0 when every check passed; prints one line per check and a closing 'N passed, N failed' line.
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CUSTODY_URL"].rstrip("/")
TOKEN = os.environ["CUSTODY_TOKEN"]
EXPECT = json.loads(os.environ["CUSTODY_EXPECT"])
ARTIFACTS = os.environ["CUSTODY_ARTIFACTS"]

passed = 0
failed = []


def check(name, condition, detail=""):
    global passed
    if condition:
        passed += 1
        print(f"ok    {name}")
    else:
        failed.append(name)
        print(f"FAIL  {name} {detail}")


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--lang=zh-CN", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def loaded(driver):
    """Waits for the page's load event (not a fixed sleep)."""
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def follow(driver, action):
    """Runs `action` (a click or a form submit) and waits until the browser has left the old document and loaded
    the new one: the old page's readyState is already 'complete', so waiting on it alone would race."""
    old = driver.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(driver, 30).until(lambda _: left(old))
    loaded(driver)


def left(old):
    """Whether `old` no longer belongs to the current document. Chromium reports a node of a page being replaced
    either as stale or, mid-navigation, as "does not belong to the document"; both mean the browser has left it."""
    try:
        old.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def screenshot(driver, name):
    """A full-page screenshot: the viewport set to the document's size first (DevTools device metrics)."""
    size = driver.execute_script(
        "return [Math.max(document.body.scrollWidth, document.documentElement.scrollWidth, 1280),"
        " Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)]")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": min(int(size[0]), 2400), "height": min(int(size[1]), 8000), "deviceScaleFactor": 1, "mobile": False})
    path = os.path.join(ARTIFACTS, f"{name}.png")
    driver.save_screenshot(path)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path


def texts(driver, selector):
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, selector)]


def page(driver, path):
    driver.get(BASE + path)
    loaded(driver)
    check(f"{path}: served as UTF-8", driver.execute_script("return document.characterSet") == "UTF-8")


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    started = time.monotonic()
    driver = browser()
    try:
        digest = EXPECT["digest"]
        name = EXPECT["officer_name"]

        # No session: the browser lands on the login form.
        driver.get(BASE + "/admin/")
        loaded(driver)
        check("no session: redirected to the login form", driver.current_url == BASE + "/admin/login",
              driver.current_url)
        screenshot(driver, "login")

        # A wrong token re-shows the form with an error.
        driver.find_element(By.ID, "token").send_keys("custody_not-a-token")
        follow(driver, driver.find_element(By.ID, "login").click)
        check("wrong token: the form again with an error", bool(driver.find_elements(By.ID, "login-error")))
        check("wrong token: no session cookie", driver.get_cookie("custody_session") is None)
        screenshot(driver, "login-error")

        # The admin token signs in and lands on the ingest log.
        driver.find_element(By.ID, "token").send_keys(TOKEN)
        follow(driver, driver.find_element(By.ID, "login").click)
        check("signed in: on the ingest log", driver.current_url == BASE + "/admin/", driver.current_url)
        cookie = driver.get_cookie("custody_session") or {}
        check("session cookie is HttpOnly and SameSite=Strict",
              cookie.get("httpOnly") is True and cookie.get("sameSite") == "Strict", str({k: v for k, v in cookie.items() if k != "value"}))
        check("session cookie is invisible to scripts", "custody_session" not in driver.execute_script("return document.cookie"))

        # Ingest log.
        page(driver, "/admin/")
        check("log: the known clip's digest", digest in texts(driver, "#log a.hash"))
        check("log: the officer's Chinese name as DOM text", name in texts(driver, "#log .officer-name"),
              repr(texts(driver, "#log .officer-name")[:3]))
        check("log: the gap", any(EXPECT["gap_kind"] in text for text in texts(driver, "#log td")))
        screenshot(driver, "log")

        # The filter form, submitted as a plain GET form.
        recorder = driver.find_element(By.NAME, "recorder")
        recorder.clear()
        recorder.send_keys(EXPECT["recorder"])
        follow(driver, recorder.submit)
        check("log filter: the query is in the URL", f"recorder={EXPECT['recorder']}" in driver.current_url)
        check("log filter: only that recorder", set(texts(driver, "#log tr td:nth-child(4)")) == {EXPECT["recorder"]},
              repr(set(texts(driver, "#log tr td:nth-child(4)"))))
        screenshot(driver, "log-filtered")

        # Clip page, reached by its link.
        follow(driver, driver.find_element(By.CSS_SELECTOR, f'#log a[href="/admin/clips/{digest}"]').click)
        check("clip: reached by its link", driver.current_url == f"{BASE}/admin/clips/{digest}")
        check("clip: its digest", driver.find_element(By.ID, "digest").text == digest)
        check("clip: the officer's name", name in texts(driver, ".officer-name"))
        check("clip: the inclusion proof verifies", "verified" in texts(driver, "strong"))
        check("clip: the checkpoint", bool(driver.find_elements(By.ID, "checkpoint")))
        screenshot(driver, "clip")

        # Recorders.
        page(driver, "/admin/recorders")
        check("recorders: the recorder", EXPECT["recorder"] in texts(driver, "#recorders a"))
        check("recorders: its officer", name in texts(driver, "#recorders .officer-name"))
        screenshot(driver, "recorders")

        # Gaps.
        page(driver, "/admin/gaps")
        rows = driver.find_elements(By.CSS_SELECTOR, "#gaps tr")
        gap_rows = [row for row in rows if row.find_elements(By.CSS_SELECTOR, "td") and
                    row.find_elements(By.CSS_SELECTOR, "td")[0].text == str(EXPECT["gap_entry"])]
        check("gaps: the known gap", len(gap_rows) == 1)
        if gap_rows:
            check("gaps: its kind", EXPECT["gap_kind"] in gap_rows[0].text)
            check("gaps: unexplained", bool(gap_rows[0].find_elements(By.CSS_SELECTOR, ".open")))
            check("gaps: the officer's name", name in [e.text for e in gap_rows[0].find_elements(By.CSS_SELECTOR, ".officer-name")])
        screenshot(driver, "gaps")

        # Late and overdue.
        page(driver, "/admin/late")
        check("late: the late clip", digest in texts(driver, "#late-clips a.hash"))
        screenshot(driver, "late")

        # Compliance, with server-drawn SVG charts.
        page(driver, "/admin/compliance")
        check("compliance: charts drawn", len(driver.find_elements(By.CSS_SELECTOR, "svg rect")) >= 2)
        labels = texts(driver, "#officer-hours text")
        check("compliance: the officer's name in the chart", any(name in label for label in labels), repr(labels))
        check("compliance: the officer's row", name in texts(driver, "#by-officer .officer-name"))
        screenshot(driver, "compliance")

        # Sign out.
        follow(driver, driver.find_element(By.CSS_SELECTOR, "header form button").click)
        check("signed out: back on the login form", driver.current_url == BASE + "/admin/login")
        check("signed out: cookie gone", driver.get_cookie("custody_session") is None)
        driver.get(BASE + "/admin/gaps")
        loaded(driver)
        check("signed out: pages redirect again", driver.current_url == BASE + "/admin/login")
    finally:
        driver.quit()
    print(f"screenshots in {ARTIFACTS}; {time.monotonic() - started:.1f} s in the browser")
    print(f"{passed} passed, {len(failed)} failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
