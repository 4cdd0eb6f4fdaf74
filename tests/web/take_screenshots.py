#!/usr/bin/env python3
"""take_screenshots.py BUILD_DIR PKI_DIR OUT_DIR

Not a test: makes the README's screenshots of the admin page (headless
Chromium over a segel-admin on a fresh demo directory): the overview, a
certificate with an RA case's preview, and an RA export's preview.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from admin_lab import PASSWORD, AdminLab  # noqa: E402
from test_browser import browser  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def main():
    build, pki, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    lab = AdminLab(build, pki).start()
    driver = browser()
    base = "http://localhost:%d" % lab.port
    try:
        driver.get(base + "/login")
        driver.find_element(By.ID, "login").send_keys("ra")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "submit").click()
        driver.get(base + "/")
        driver.save_screenshot(os.path.join(out, "overview.png"))
        fingerprint, serial = lab.fingerprint_of("alice")
        driver.get(base + "/certificates/" + fingerprint)
        driver.find_element(By.CSS_SELECTOR, "#case option[value=mutasi_rotasi]").click()
        driver.find_element(By.ID, "preview").click()
        driver.find_element(By.ID, "confirm")
        driver.save_screenshot(os.path.join(out, "ra-case.png"))
        export = os.path.join(lab.root, "ra-export.csv")
        with open(export, "w") as f:
            f.write("nip,email,name,unit,kind,status,reason,effective_date,certificate\n"
                    "198001012005011001,alice@tangerangkota.go.id,Alice Rahmawati,Dinas Pendidikan,individual,"
                    "revoked,mutasi,2026-12-01," + serial + "\n"
                    "197001012000011001,gita@tangerangkota.go.id,Gita Permata,Dinas Perhubungan,,,,,\n")
        driver.get(base + "/ra")
        driver.find_element(By.ID, "file").send_keys(export)
        driver.find_element(By.ID, "upload").click()
        driver.find_element(By.ID, "apply")
        driver.save_screenshot(os.path.join(out, "ra-upload.png"))
    finally:
        driver.quit()
        lab.stop()


if __name__ == "__main__":
    main()
