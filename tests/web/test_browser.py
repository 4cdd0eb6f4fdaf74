#!/usr/bin/env python3
"""The admin web page in a real browser (issue 15): Debian's chromium and
chromium-driver through python3-selenium, headless, against a segel-admin
on loopback whose directory is a PostfixLab's, so that an RA case done in
the page is checked against segel-milter behind a real Postfix.

Usage: test_browser.py BUILD_DIR TestClass.test_name; `--list` prints the
tests. Needs root (Postfix) and exits 77 (skipped) otherwise.
"""
import os
import subprocess
import sys
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from admin_lab import PASSWORD, AdminLab  # noqa: E402
from postfix_lab import PostfixLab, e2e_main, start_lab, stop_lab  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

BUILD = None
ALICE = "alice@tangerangkota.go.id"


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class BrowserTest(unittest.TestCase):
    def setUp(self):
        pki = os.environ["SEGEL_TEST_PKI"]
        self.lab = PostfixLab(os.path.join(BUILD, "directory", "segel"), os.path.join(BUILD, "milter", "segel-milter"),
                              pki, users=("alice", "bambang", "eko"))
        start_lab(self.lab)
        self.admin = None
        self.driver = None
        try:
            self.admin = AdminLab(BUILD, pki, root=self.lab.root).start()
            self.driver = browser()
        except Exception:
            self.tearDown()
            raise
        # localhost (not 127.0.0.1): a secure context, so the Secure cookie is kept over plain HTTP.
        self.base = "http://localhost:%d" % self.admin.port

    def tearDown(self):
        if self.driver:
            self.driver.quit()
        if self.admin:
            self.admin.stop()
        stop_lab(self, self.lab)

    # -- helpers -----------------------------------------------------------------
    def open(self, path):
        self.driver.get(self.base + path)

    def log_in(self, login, password=PASSWORD):
        self.open("/login")
        self.driver.find_element(By.ID, "login").send_keys(login)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.driver.find_element(By.ID, "submit").click()
        self.wait_for_text("Keluar" if password == PASSWORD else "Masuk")

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def wait_for_text(self, words, seconds=15):
        """Waits until the page (after a click that loads another) shows `words`; returns its text."""
        deadline = time.time() + seconds
        text = ""
        while time.time() < deadline:
            try:
                text = self.text()
                if words in text:
                    return text
            except Exception:  # the old page went away mid-read
                pass
            time.sleep(0.1)
        self.fail("the page never showed %r; it shows:\n%s" % (words, text))

    def submit_as_alice(self, subject):
        message = ("From: %s\r\nTo: warga@example.com\r\nSubject: %s\r\nMessage-ID: <%s.%f@tangerangkota.go.id>\r\n\r\n"
                   "Isi surat.\r\n" % (ALICE, subject, subject, time.time())).encode()
        return self.lab.submit(ALICE, message)

    # -- tests -------------------------------------------------------------------
    def test_an_ra_case_in_the_page_stops_signing_at_the_next_message(self):
        code, transcript = self.submit_as_alice("Sebelum")
        self.assertEqual(code, 0, transcript)
        self.log_in("ra")
        self.assertIn("Sertifikat menurut status", self.text())  # Indonesian first
        self.open("/certificates")
        self.driver.find_element(By.ID, "q").send_keys("alice")
        self.driver.find_element(By.ID, "search").click()
        self.wait_for_text("1 sertifikat")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#certificates tr td a")
        self.assertEqual(len(rows), 1)
        rows[0].click()
        self.wait_for_text("Riwayat")
        self.driver.find_element(By.CSS_SELECTOR, "#case option[value=kunci_hilang]").click()
        self.driver.find_element(By.ID, "preview").click()
        self.wait_for_text("tidak lagi ditandatangani")  # the effect, before anything changes
        self.assertIn("active", self.lab.segel_cmd("directory", "search", "alice").stdout)
        self.driver.find_element(By.ID, "confirm").click()
        self.wait_for_text("Dicatat")
        self.open("/certificates?q=alice")
        self.assertIn("revoked (key_compromise)", self.driver.find_element(By.ID, "certificates").text)
        code, transcript = self.submit_as_alice("Sesudah")
        self.assertNotEqual(code, 0, transcript)
        self.assertIn("<** 550", transcript)
        # The message trace tells both messages' stories, found by the sender.
        deadline = time.time() + 15
        while time.time() < deadline:
            self.open("/trace?q=alice%40tangerangkota.go.id")
            decisions = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#trace td.decision")]
            if len(decisions) >= 2:
                break
            time.sleep(0.5)
        self.assertIn("Ditandatangani dengan sertifikat pengirim.", decisions)
        self.assertTrue(any(d.startswith("Ditolak: sertifikat pengirim dicabut") for d in decisions), decisions)
        self.open("/trace?q=Sebelum")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#trace tr.message")), 1)
        # The refusal is an incident; the operator marks it handled.
        self.open("/incidents?status=open")
        table = self.driver.find_element(By.ID, "incidents").text
        self.assertIn("Penandatanganan ditolak", table)
        self.assertIn("Kunci hilang / bocor", table)
        refused = [row for row in self.driver.find_elements(By.CSS_SELECTOR, "tr.incident")
                   if "Penandatanganan ditolak" in row.text][0]
        refused.find_element(By.NAME, "note").send_keys("Alice diminta mengajukan sertifikat baru")
        refused.find_element(By.TAG_NAME, "button").click()
        self.wait_for_text("Dicatat: insiden")
        self.open("/incidents")
        self.assertIn("handled: Alice diminta mengajukan sertifikat baru (web:ra)", self.text())
        self.open("/audit")
        self.assertIn("Rantai hash utuh", self.text())
        self.assertIn("web:ra", self.driver.find_element(By.ID, "audit").text)
        self.assertEqual(self.lab.segel_cmd("audit", "verify").returncode, 0)

    def test_ra_export_upload_shows_the_changes_before_applying(self):
        self.log_in("ra")
        serial = self.admin.fingerprint_of("bambang")[1]
        export = os.path.join(self.lab.root, "ra-export.csv")
        with open(export, "w") as f:
            f.write("nip,email,name,unit,kind,status,reason,effective_date,certificate\n"
                    "198502022010012002,bambang@tangerangkota.go.id,Bambang,Dinas Kominfo,individual,revoked,sanksi,"
                    "2026-11-01," + serial + "\n")
        self.open("/ra")
        self.driver.find_element(By.ID, "file").send_keys(export)
        self.driver.find_element(By.ID, "upload").click()
        self.wait_for_text("perubahan akan diterapkan")
        self.assertIn(serial, self.driver.find_element(By.ID, "changes").text)
        self.assertIn("active", self.lab.segel_cmd("directory", "show", serial).stdout)
        self.driver.find_element(By.ID, "apply").click()
        self.wait_for_text("perubahan diterapkan")
        self.assertIn("revoked (privilege_withdrawn)", self.lab.segel_cmd("directory", "show", serial).stdout)

    def test_reports_download_and_the_english_switch(self):
        self.log_in("audit")
        self.open("/reports")
        self.assertTrue(self.driver.find_element(By.ID, "report").text.startswith("UNIT"))
        link = self.driver.find_element(By.ID, "csv").get_attribute("href")
        cookie = self.driver.get_cookie("segel_session")["value"]
        request = urllib.request.Request(link, headers={"Cookie": "segel_session=" + cookie})
        with urllib.request.urlopen(request) as answer:
            self.assertTrue(answer.read().decode().startswith("UNIT,PEOPLE,ACTIVE"))
        self.driver.find_element(By.ID, "semester").click()
        self.wait_for_text("182 hari")
        self.driver.find_element(By.ID, "language").click()
        self.wait_for_text("Evaluation report per unit")
        self.open("/")
        self.assertIn("Certificates by status", self.text())

    def test_an_auditor_sees_no_change_forms_and_a_forged_change_is_refused(self):
        self.log_in("audit")
        fingerprint, serial = self.admin.fingerprint_of("bambang")
        self.open("/certificates/" + fingerprint)
        self.assertIn(serial, self.text())
        self.assertEqual(self.driver.find_elements(By.ID, "case"), [])
        # A change without the CSRF token, sent from the page itself, is refused; so is one with the
        # token, for the auditor's role.
        token = self.driver.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
        self.post_form("/certificates/%s/case" % fingerprint, {"case": "sanksi", "confirm": "yes"})
        self.wait_for_text("CSRF")
        self.open("/certificates/" + fingerprint)
        self.post_form("/certificates/%s/case" % fingerprint, {"case": "sanksi", "confirm": "yes", "csrf": token})
        self.wait_for_text("does not permit")
        self.assertIn("active", self.lab.segel_cmd("directory", "show", serial).stdout)

    def post_form(self, action, fields):
        """Submits a form made in the page (as a forged or hand-made request would be)."""
        self.driver.execute_script(
            "const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];"
            "for (const [k, v] of Object.entries(arguments[1])) { const i = document.createElement('input');"
            "i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }"
            "document.body.appendChild(f); f.submit();", action, fields)

    def test_an_administrator_sets_a_policy_and_sees_what_applies_to_an_address(self):
        self.log_in("admin")
        self.open("/policies")
        self.driver.find_element(By.NAME, "scope").send_keys("mitra.example")
        self.driver.find_element(By.CSS_SELECTOR, "select[name=mode] option[value=opportunistic]").click()
        self.driver.find_element(By.ID, "save").click()
        self.wait_for_text("Disimpan: mitra.example")
        self.open("/policies?address=teman%40mitra.example")
        resolved = self.driver.find_element(By.ID, "resolved").text
        self.assertIn("opportunistic (mitra.example)", resolved)
        self.open("/correspondents")
        self.assertIn("Sertifikat koresponden", self.text())

    def test_wrong_passwords_are_rate_limited_in_the_page(self):
        for _ in range(5):
            self.log_in("ra", "bukan-kata-sandinya")
            self.wait_for_text("salah")
        self.open("/login")
        self.driver.find_element(By.ID, "login").send_keys("ra")
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "submit").click()
        self.wait_for_text("Terlalu banyak percobaan gagal")
        self.assertIn("/login", self.driver.current_url)


if __name__ == "__main__":
    e2e_main(sys.modules[__name__])
