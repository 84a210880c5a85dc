#!/usr/bin/env python3
"""The helpdesk page of `mailscout serve --helpdesk` in headless Chromium.

Drives Debian's chromium through chromedriver (python3-selenium):

  - with JavaScript: type an address of the site's domain, get the card
    (host, port, security, username of both servers), the QR image loads,
    and each of the seven files downloads (thunderbird, autodiscover,
    mobileconfig, msmtp, mbsync, neomutt, aerc): XML and plist parse, the
    right hosts, ports and username, and no password anywhere;
  - an unknown domain and a malformed address get the page's message; an
    address carrying markup is shown as text and runs no script;
  - without JavaScript (a second browser, JavaScript blocked by policy):
    the form posts, the server renders the same card, a file downloads;
  - screenshots, desktop (1280 px) and phone (390 px, mobile emulation), go
    to the output folder;
  - inside the fake Internet (WORLD_DIR set; ctest runs it in scenario
    basic): a second server with --lookups, an address of basic.example
    (not in the site): the page streams progress lines, then shows the card
    of the server the world runs (mail.basic.example 993 SSL/TLS), with and
    without JavaScript.

Environment: MAILSCOUT, MAILSCOUT_SOURCE_DIR, HELPDESK_OUT (output folder;
default ./helpdesk_out). `--docs-images DIR` also copies the desktop and
phone screenshots to DIR (for docs/serve.md: docs/images/).
Exit 77 (skipped) when chromium, chromedriver or selenium is missing.
"""
import base64
import glob
import os
import plistlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("MAILSCOUT_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..", "..")))
MAILSCOUT = os.environ.get("MAILSCOUT", os.path.join(SOURCE_DIR, "build", "mailscout"))
OUT = os.path.abspath(os.environ.get("HELPDESK_OUT", "helpdesk_out"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
IN_WORLD = bool(os.environ.get("WORLD_DIR"))

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None

SITE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="helpdesk.example">
    <domain>helpdesk.example</domain>
    <domain>helpdesk-alias.example</domain>
    <displayName>Helpdesk Example Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.helpdesk.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.helpdesk.example</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""

ADDRESS = "carol@helpdesk.example"
EXPECT_SITE = {
    "incoming": {"host": "imap.helpdesk.example", "port": "993", "security": "SSL/TLS", "username": "carol"},
    "outgoing": {"host": "smtp.helpdesk.example", "port": "587", "security": "STARTTLS", "username": "carol"},
}
LOOKUP_ADDRESS = "alice@basic.example"
EXPECT_LOOKUP = {
    "incoming": {"host": "mail.basic.example", "port": "993", "security": "SSL/TLS",
                 "username": "alice@basic.example"},
    "outgoing": {"host": "mail.basic.example", "port": "465", "security": "SSL/TLS",
                 "username": "alice@basic.example"},
}
FILES = {  # format -> the file name the card's link downloads as
    "thunderbird": "config-v1.1.xml",
    "autodiscover": "autodiscover.xml",
    "mobileconfig": ADDRESS + ".mobileconfig",
    "msmtp": "msmtprc",
    "mbsync": "mbsyncrc",
    "neomutt": "neomuttrc",
    "aerc": "accounts.conf",
}


class Failure(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Failure(message)


# ---- the server ----

class Server:
    def __init__(self, name, site, extra):
        self.err_path = os.path.join(OUT, name + ".stderr")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(
            [MAILSCOUT, "serve", "--providers", site, "--listen", "127.0.0.1:0", "--helpdesk",
             "--web-dir", os.path.join(SOURCE_DIR, "web")] + extra,
            stdout=subprocess.DEVNULL, stderr=self.err, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", open(self.err_path).read())
            if m:
                self.url = m.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit("serve %s did not start: %s" % (name, open(self.err_path).read()[-2000:]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "hung"
        self.err.close()
        return code


# ---- the browser ----

def browser(downloads, javascript=True, width=1280, height=900):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--safebrowsing-disable-download-protection", "--lang=en-US",
                "--window-size=%d,%d" % (width, height), "--hide-scrollbars"):
        options.add_argument(arg)
    prefs = {
        "download.default_directory": downloads,
        "download.prompt_for_download": False,
        "download.directory_upgrade": True,
        "safebrowsing.enabled": False,
        "profile.default_content_setting_values.automatic_downloads": 1,
    }
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


def wait(driver, seconds, condition, what):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.05).until(lambda d: condition(d))
    except TimeoutException:
        raise Failure("timed out after %d s waiting for %s" % (seconds, what))


def card_values(driver):
    """{'incoming': {...}, 'outgoing': {...}} from the card on the page."""
    sections = driver.find_elements(By.CSS_SELECTOR, "#card section.server")
    expect(len(sections) == 2, "the card has %d server sections" % len(sections))
    values = {}
    for key, section in zip(("incoming", "outgoing"), sections):
        values[key] = {f: section.find_element(By.CSS_SELECTOR, "td." + f).text.strip()
                       for f in ("host", "port", "security", "username")}
    return values


def check_card(driver, want, email):
    got = card_values(driver)
    expect(got == want, "card %s, want %s" % (got, want))
    shown = driver.find_element(By.CSS_SELECTOR, "#card h2 .email").text
    expect(shown == email, "card for %r, want %r" % (shown, email))
    text = driver.find_element(By.ID, "card").text
    expect("never stored here" in text, "the card does not say the password is never stored")


def submit(driver, address):
    box = driver.find_element(By.ID, "emailaddress")
    box.clear()
    box.send_keys(address)
    driver.find_element(By.CSS_SELECTOR, "form#lookup button[type=submit]").click()


def screenshot(driver, path, width, mobile=False, scale=1):
    """The whole page at `width` CSS pixels (mobile: phone emulation)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 844 if mobile else 900,
                            "deviceScaleFactor": scale, "mobile": mobile})
    time.sleep(0.3)
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path


def wait_for_file(folder, name, seconds=20):
    path = os.path.join(folder, name)
    deadline = time.time() + seconds
    while time.time() < deadline:
        if os.path.exists(path) and not glob.glob(os.path.join(folder, "*.crdownload")):
            time.sleep(0.1)
            return path
        time.sleep(0.1)
    raise Failure("%s did not download within %d s (folder: %s)" % (name, seconds, os.listdir(folder)))


# ---- the files ----

NO_PASSWORD = [  # a password value in any of the formats
    re.compile(r"^\s*password\s+\S", re.M | re.I),            # msmtp
    re.compile(r"^\s*Pass\s+\S", re.M),                       # mbsync
    re.compile(r"(imap|smtp|pop)_pass\s*=", re.I),            # neomutt
    re.compile(r"://[^/@\s:]+:[^/@\s]+@"),                    # user:password@ in a URL (aerc, neomutt)
    re.compile(r"<(Password|password)>[^<]"),                  # XML
]


def check_file(fmt, path, want, email):
    data = open(path, "rb").read()
    text = data.decode("utf-8")
    inc, out = want["incoming"], want["outgoing"]
    for rx in NO_PASSWORD:
        found = rx.search(text)
        expect(not found, "%s: looks like a password: %s" % (fmt, found.group(0) if found else ""))
    if fmt == "thunderbird":
        root = ET.fromstring(data)
        provider = root.find("emailProvider")
        incoming, outgoing = provider.find("incomingServer"), provider.find("outgoingServer")
        got = (incoming.findtext("hostname"), incoming.findtext("port"), incoming.findtext("username"),
               outgoing.findtext("hostname"), outgoing.findtext("port"), outgoing.findtext("socketType"))
        expect(got == (inc["host"], inc["port"], inc["username"], out["host"], out["port"],
                       {"STARTTLS": "STARTTLS", "SSL/TLS": "SSL"}[out["security"]]),
               "thunderbird: %s" % (got,))
        expect(root.find(".//password") is None, "thunderbird: a <password>")
    elif fmt == "autodiscover":
        root = ET.fromstring(data)
        ns = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"
        protocols = {p.findtext(ns + "Type"): p for p in root.iter(ns + "Protocol")}
        expect(set(protocols) >= {"IMAP", "SMTP"}, "autodiscover: protocols %s" % sorted(protocols))
        imap, smtp = protocols["IMAP"], protocols["SMTP"]
        got = (imap.findtext(ns + "Server"), imap.findtext(ns + "Port"), imap.findtext(ns + "LoginName"),
               smtp.findtext(ns + "Server"), smtp.findtext(ns + "Port"))
        expect(got == (inc["host"], inc["port"], inc["username"], out["host"], out["port"]),
               "autodiscover: %s" % (got,))
    elif fmt == "mobileconfig":
        profile = plistlib.loads(data)
        mail = [p for p in profile["PayloadContent"] if p.get("PayloadType") == "com.apple.mail.managed"]
        expect(len(mail) == 1, "mobileconfig: %d mail payloads" % len(mail))
        m = mail[0]
        got = (m.get("IncomingMailServerHostName"), str(m.get("IncomingMailServerPortNumber")),
               m.get("IncomingMailServerUsername"), m.get("OutgoingMailServerHostName"),
               str(m.get("OutgoingMailServerPortNumber")), m.get("EmailAddress"))
        expect(got == (inc["host"], inc["port"], inc["username"], out["host"], out["port"], email),
               "mobileconfig: %s" % (got,))
        for key in ("IncomingPassword", "OutgoingPassword"):
            expect(not m.get(key), "mobileconfig: %s is set" % key)
    else:
        host = {"msmtp": out["host"], "mbsync": inc["host"], "neomutt": inc["host"], "aerc": inc["host"]}[fmt]
        expect(host in text, "%s: no %s in %r" % (fmt, host, text[:300]))
        user = inc["username"]
        expect(user in text or user.replace("@", "%40") in text, "%s: no username %s" % (fmt, user))
        if fmt in ("neomutt", "aerc"):
            expect(out["host"] in text, "%s: no %s" % (fmt, out["host"]))
    return "%s %d B" % (os.path.basename(path), len(data))


# ---- the cases ----

def case_card_and_downloads(driver, server, downloads):
    driver.get(server.url + "/")
    expect("helpdesk" in driver.title, "title %r" % driver.title)
    submit(driver, ADDRESS)
    wait(driver, 10, lambda d: d.find_elements(By.ID, "card"), "the card")
    check_card(driver, EXPECT_SITE, ADDRESS)
    expect("emailaddress=" in driver.current_url, "the URL %s does not name the address" % driver.current_url)
    natural = driver.execute_script("const i = document.querySelector('.qr img'); "
                                    "return i && i.complete ? i.naturalWidth : -1")
    expect(natural and natural > 0, "the QR image did not load (%s)" % natural)
    links = {a.get_attribute("data-format"): a for a in driver.find_elements(By.CSS_SELECTOR, "a.download")}
    expect(sorted(links) == sorted(FILES), "download links %s" % sorted(links))
    notes = []
    for fmt, name in FILES.items():
        links[fmt].click()
        path = wait_for_file(downloads, name)
        notes.append(check_file(fmt, path, EXPECT_SITE, ADDRESS))
    return "card ok, QR %d px, 7 files: %s" % (natural, ", ".join(notes))


def case_messages(driver, server):
    driver.get(server.url + "/")
    submit(driver, "dave@nothere.example")
    msg = wait(driver, 10, lambda d: d.find_elements(By.CSS_SELECTOR, "#result .message"), "the message")
    expect("no settings for nothere.example" in msg[0].text, "message %r" % msg[0].text)
    expect(not driver.find_elements(By.ID, "card"), "a card for an unknown domain")
    # Malformed: the browser's own check stops the form, the server's answers the URL.
    driver.get(server.url + "/?emailaddress=not-an-address")
    msg = driver.find_elements(By.CSS_SELECTOR, "#result .message")
    expect(msg and "is not an e-mail address" in msg[0].text, "no message for a malformed address")
    # Markup in the address is text, never markup.
    evil = '"><img src=x onerror=alert(1)><script>alert(2)</script>@helpdesk.example'
    driver.get(server.url + "/?emailaddress=" + evil.replace("<", "%3C").replace(">", "%3E")
               .replace('"', "%22").replace(" ", "%20").replace("=", "%3D").replace("(", "%28")
               .replace(")", "%29"))
    time.sleep(0.5)
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        raise Failure("the page ran injected script (alert %r)" % text)
    except NoAlertPresentException:
        pass
    expect(not driver.find_elements(By.CSS_SELECTOR, "#result img[src=x], #result script"),
           "injected elements in the page")
    value = driver.find_element(By.ID, "emailaddress").get_attribute("value")
    expect(value == evil, "the address field holds %r" % value)
    check_page_headers(server.url + "/")
    check_page_headers(server.url + "/", b"emailaddress=" + ADDRESS.encode())
    return "unknown domain and malformed address get messages; injected markup stays text; CSP"


def case_screenshots(driver, server):
    driver.get(server.url + "/?emailaddress=" + ADDRESS)
    wait(driver, 10, lambda d: d.find_elements(By.ID, "card"), "the card")
    wait(driver, 10, lambda d: d.execute_script(
        "const i = document.querySelector('.qr img'); return i && i.complete && i.naturalWidth > 0"), "QR")
    desktop = screenshot(driver, os.path.join(OUT, "helpdesk-desktop.png"), 1280)
    phone = screenshot(driver, os.path.join(OUT, "helpdesk-phone.png"), 390, mobile=True, scale=2)
    # On a phone the page must not scroll sideways.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    time.sleep(0.3)
    wide = driver.execute_script("return document.documentElement.scrollWidth")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    expect(wide <= 390, "the phone layout is %d px wide (scrolls sideways)" % wide)
    return "%s, %s (%d B, %d B)" % (os.path.basename(desktop), os.path.basename(phone),
                                   os.path.getsize(desktop), os.path.getsize(phone))


def case_no_javascript(driver, server, downloads):
    driver.get(server.url + "/")
    submit(driver, ADDRESS)
    wait(driver, 10, lambda d: d.find_elements(By.ID, "card"), "the card (form post)")
    check_card(driver, EXPECT_SITE, ADDRESS)
    # The page came from the form's POST, not from the script's fetch.
    expect(driver.current_url.rstrip("/") == server.url, "URL %s after a POST" % driver.current_url)
    shot = screenshot(driver, os.path.join(OUT, "helpdesk-nojs-desktop.png"), 1280)
    link = driver.find_element(By.CSS_SELECTOR, "a.download[data-format=thunderbird]")
    link.click()
    note = check_file("thunderbird", wait_for_file(downloads, FILES["thunderbird"]), EXPECT_SITE, ADDRESS)
    return "form post -> card; download %s; %s" % (note, os.path.basename(shot))


def case_lookup(driver, server, downloads):
    driver.get(server.url + "/")
    submit(driver, LOOKUP_ADDRESS)
    # Watch the progress box while the lookup runs.
    seen = set()
    shown = False
    deadline = time.time() + 60
    while time.time() < deadline:
        state = driver.execute_script(
            "const p = document.getElementById('progress');"
            "return [p.hidden, p.textContent, !!document.getElementById('card')]")
        hidden, text, card = state
        if not hidden:
            shown = True
            seen.update(line for line in text.split("\n") if line.strip())
        if card:
            break
        time.sleep(0.05)
    expect(driver.find_elements(By.ID, "card"), "no card within 60 s; progress seen: %s" % sorted(seen))
    expect(shown, "the progress box never showed")
    expect(any(line.startswith("Looking up " + LOOKUP_ADDRESS) for line in seen),
           "no 'Looking up' line: %s" % sorted(seen))
    expect(len(seen) >= 3, "only %d progress lines before the card: %s" % (len(seen), sorted(seen)))
    hidden = driver.execute_script("return document.getElementById('progress').hidden")
    expect(hidden, "the progress box stays after the card")
    check_card(driver, EXPECT_LOOKUP, LOOKUP_ADDRESS)
    shot = screenshot(driver, os.path.join(OUT, "helpdesk-lookup-desktop.png"), 1280)
    # The lookup's files are data: URLs; the Thunderbird one downloads too.
    link = driver.find_element(By.CSS_SELECTOR, "a.download[data-format=thunderbird]")
    expect(link.get_attribute("href").startswith("data:"), "lookup download is %s" % link.get_attribute("href")[:40])
    link.click()
    note = check_file("thunderbird", wait_for_file(downloads, FILES["thunderbird"]), EXPECT_LOOKUP, LOOKUP_ADDRESS)
    return "%d progress lines streamed, then the card; %s; %s" % (len(seen), note, os.path.basename(shot))


def case_lookup_no_javascript(driver, server):
    driver.get(server.url + "/")
    submit(driver, LOOKUP_ADDRESS)
    wait(driver, 60, lambda d: d.find_elements(By.ID, "card"), "the lookup's card (form post)")
    check_card(driver, EXPECT_LOOKUP, LOOKUP_ADDRESS)
    check_page_headers(server.url + "/", b"emailaddress=" + LOOKUP_ADDRESS.encode())
    return "form post waits for the lookup, then the card (with the page's headers)"


def check_page_headers(url, form=None):
    """Every helpdesk page carries the Content-Security-Policy and no-store."""
    with urllib.request.urlopen(urllib.request.Request(url, data=form), timeout=60) as r:
        csp = r.headers.get("Content-Security-Policy", "")
        expect("script-src 'self'" in csp and "frame-ancestors 'none'" in csp,
               "%s%s: Content-Security-Policy %r" % (url, " (POST)" if form else "", csp))
        expect(r.headers.get("Cache-Control") == "no-store", "%s: Cache-Control %r" % (
            url, r.headers.get("Cache-Control")))
        expect(r.headers.get("Content-Type", "").startswith("text/html"), "%s: %s" % (
            url, r.headers.get("Content-Type")))


# ---- main ----

def main():
    args = sys.argv[1:]
    docs_images = None
    if args[:1] == ["--docs-images"]:
        docs_images = os.path.abspath(args[1])
        args = args[2:]
    if webdriver is None or not os.path.exists(CHROMIUM) or not os.path.exists(CHROMEDRIVER):
        print("skipped: needs chromium, chromium-driver and python3-selenium (run with /usr/bin/python3)")
        return 77
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    workdir = tempfile.mkdtemp(prefix="helpdesk-")
    os.environ["HOME"] = workdir  # chromium's own files go there, not into the caller's home
    started = time.time()
    servers, drivers = [], []
    passed = failed = 0

    def record(name, fn, *fargs):
        nonlocal passed, failed
        t0 = time.time()
        try:
            detail = fn(*fargs)
            passed += 1
            print("PASS %-22s %5.1fs  %s" % (name, time.time() - t0, detail), flush=True)
        except Exception as e:  # noqa: BLE001 - selenium raises many kinds; each is a failure
            failed += 1
            print("FAIL %-22s %5.1fs  %s: %s" % (name, time.time() - t0, type(e).__name__, str(e)[:2000]),
                  flush=True)
            for d in drivers:
                try:
                    d.save_screenshot(os.path.join(OUT, "failure-%s-%d.png" % (name, drivers.index(d))))
                except Exception:  # noqa: BLE001
                    pass
    try:
        site = os.path.join(workdir, "site")
        os.makedirs(site)
        with open(os.path.join(site, "helpdesk.example.xml"), "w") as f:
            f.write(SITE_XML)
        server = Server("helpdesk", site, ["--access-log", os.path.join(OUT, "helpdesk.access.jsonl")])
        servers.append(server)
        dl_js = os.path.join(workdir, "downloads-js")
        dl_nojs = os.path.join(workdir, "downloads-nojs")
        os.makedirs(dl_js)
        os.makedirs(dl_nojs)
        js = browser(dl_js)
        drivers.append(js)
        print("chromium %s, chromedriver %s" % (js.capabilities.get("browserVersion"),
              js.capabilities.get("chrome", {}).get("chromedriverVersion", "?").split(" ")[0]), flush=True)
        nojs = browser(dl_nojs, javascript=False)
        drivers.append(nojs)
        record("card_and_downloads", case_card_and_downloads, js, server, dl_js)
        record("messages", case_messages, js, server)
        record("screenshots", case_screenshots, js, server)
        record("no_javascript", case_no_javascript, nojs, server, dl_nojs)
        if IN_WORLD:
            lookups = Server("lookups", site, ["--lookups", "--access-log",
                                               os.path.join(OUT, "lookups.access.jsonl")])
            servers.append(lookups)
            for folder in (dl_js, dl_nojs):
                for name in os.listdir(folder):
                    os.remove(os.path.join(folder, name))
            record("lookup", case_lookup, js, lookups, dl_js)
            record("lookup_no_javascript", case_lookup_no_javascript, nojs, lookups)
        else:
            print("SKIP lookup, lookup_no_javascript: not inside the fake Internet "
                  "(tests/world/world.py run --scenario basic -- ...)")
        for s in servers:
            code = s.stop()
            if code != 0:
                failed += 1
                print("FAIL serve exited %s on SIGTERM (%s)" % (code, s.err_path))
        if docs_images and failed == 0:
            os.makedirs(docs_images, exist_ok=True)
            for name in ("helpdesk-desktop.png", "helpdesk-phone.png"):
                shutil.copy(os.path.join(OUT, name), os.path.join(docs_images, name))
            print("copied the screenshots to %s" % docs_images)
        print("%d passed, %d failed (%.0f s; screenshots and logs in %s)" % (
            passed, failed, time.time() - started, OUT))
        return 1 if failed else 0
    finally:
        for d in drivers:
            try:
                d.quit()
            except Exception:  # noqa: BLE001
                pass
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
