"""The admin page's JSON API against a real segel-admin on loopback (issue 15).

Usage: test_api.py BUILD_DIR [unittest arguments]; SEGEL_TEST_PKI names the
demo PKI. `--list` prints the tests' names for CTest.
"""
import datetime
import http.client
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from admin_lab import PASSWORD, AdminLab  # noqa: E402

BUILD = None
RA_HEADER = "nip,email,name,unit,kind,status,reason,effective_date,certificate\n"


class ApiTest(unittest.TestCase):
    def setUp(self):
        self.lab = AdminLab(BUILD, os.environ["SEGEL_TEST_PKI"]).start()

    def tearDown(self):
        if any(self._outcome.result.errors) or any(self._outcome.result.failures):
            sys.stderr.write(self.lab.output()[-3000:])
        self.lab.stop()

    def audit(self):
        return json.loads(self.lab.segel_cmd("audit", "list", "--json").stdout)

    # -- logins ------------------------------------------------------------------
    def test_login_sets_a_strict_session_cookie_and_wrong_passwords_are_refused(self):
        answer = self.lab.request("POST", "/api/login", {"login": "ra", "password": PASSWORD})
        self.assertEqual(answer.status, 200, answer.text)
        cookie = [c for c in answer.cookies() if c.startswith("segel_session=")][0]
        for attribute in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attribute, cookie)
        self.assertEqual(answer.json()["roles"], ["ra_operator"])
        self.assertEqual(len(answer.json()["csrf"]), 64)
        for login, password in (("ra", "salah-sekali-1234"), ("nobody", PASSWORD)):
            wrong = self.lab.request("POST", "/api/login", {"login": login, "password": password})
            self.assertEqual(wrong.status, 401)
            self.assertEqual(wrong.cookies(), [])
        self.assertEqual(self.lab.request("POST", "/api/login", {"login": "ra"}).status, 400)
        self.assertEqual(self.lab.request("GET", "/api/session").status, 401)
        self.assertEqual(self.lab.request("GET", "/api/session", cookie="0" * 64).status, 401)

    def test_failed_logins_are_rate_limited_even_for_the_right_password(self):
        for _ in range(5):
            self.assertEqual(self.lab.request("POST", "/api/login", {"login": "audit", "password": "x" * 12}).status,
                             401)
        paused = self.lab.request("POST", "/api/login", {"login": "audit", "password": PASSWORD})
        self.assertEqual(paused.status, 429)
        self.assertGreater(int(paused.header("Retry-After")), 0)
        self.assertIn("too many failed logins", paused.json()["error"])

    def test_logout_ends_the_session(self):
        cookie, csrf = self.lab.login("audit")
        self.assertEqual(self.lab.request("POST", "/api/logout", cookie=cookie).status, 403)  # no CSRF token
        self.assertEqual(self.lab.request("POST", "/api/logout", cookie=cookie, csrf=csrf).status, 200)
        self.assertEqual(self.lab.request("GET", "/api/session", cookie=cookie).status, 401)

    def test_a_removed_account_loses_its_session(self):
        cookie, _ = self.lab.login("audit")
        self.assertEqual(self.lab.request("GET", "/api/session", cookie=cookie).status, 200)
        self.lab.segel_cmd("account", "remove", "audit")
        self.assertEqual(self.lab.request("GET", "/api/session", cookie=cookie).status, 401)

    # -- reading -----------------------------------------------------------------
    def test_certificates_search_detail_and_public_pem_only(self):
        cookie, _ = self.lab.login("audit")
        found = self.lab.request("GET", "/api/certificates?q=alice", cookie=cookie)
        self.assertEqual(found.status, 200, found.text)
        records = found.json()
        self.assertTrue(records and all("alice@" in r["owner"] for r in records))
        fingerprint, serial = records[0]["fingerprint"], records[0]["serial"]
        by_serial = self.lab.request("GET", "/api/certificates?q=" + serial, cookie=cookie).json()
        self.assertIn(fingerprint, [r["fingerprint"] for r in by_serial])
        detail = self.lab.request("GET", "/api/certificates/" + fingerprint, cookie=cookie)
        self.assertEqual(detail.status, 200, detail.text)
        self.assertEqual(detail.json()["certificate"]["serial"], serial)
        self.assertIn("import", [e["action"] for e in detail.json()["history"]])
        pem = self.lab.request("GET", "/api/certificates/%s/pem" % fingerprint, cookie=cookie)
        self.assertEqual(pem.status, 200)
        self.assertTrue(pem.text.startswith("-----BEGIN CERTIFICATE-----"))
        self.assertNotIn("PRIVATE", pem.text)
        parsed = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem.body, capture_output=True)
        self.assertEqual(parsed.returncode, 0)
        self.assertIn(serial.upper(), parsed.stdout.decode().upper())
        self.assertEqual(self.lab.request("GET", "/api/certificates/abcdef0123456789", cookie=cookie).status, 422)

    def test_certificates_filtered_by_their_owners_unit_and_kind(self):
        export = os.path.join(self.lab.root, "units.csv")
        with open(export, "w") as f:
            f.write(RA_HEADER + "198001012005011001,alice@tangerangkota.go.id,Alice Rahmawati,Dinas Pendidikan,,,,,\n"
                    "198502022010012002,bambang@tangerangkota.go.id,Bambang,Bappeda,,,,,\n")
        self.lab.segel_cmd("sync", "ra", export)
        cookie, _ = self.lab.login("audit")
        owners = lambda path: [r["owner"] for r in self.lab.request("GET", path, cookie=cookie).json()]  # noqa: E731
        self.assertEqual(owners("/api/certificates?unit=dinas%20pendidikan"), ["alice@tangerangkota.go.id"])
        self.assertEqual(owners("/api/certificates?unit=Bappeda&kind=individual"), ["bambang@tangerangkota.go.id"])
        self.assertEqual(owners("/api/certificates?unit=Bappeda&kind=system"), [])
        self.assertEqual(owners("/api/certificates?unit=Dinas"), [])
        self.assertEqual(self.lab.request("GET", "/api/certificates?unit=" + "u" * 201, cookie=cookie).status, 400)

    def test_malformed_and_oversized_queries_are_refused_with_a_reason(self):
        cookie, csrf = self.lab.login("ra")
        for path, needle in (("/api/certificates?status=lost", "status"), ("/api/certificates?kind=robot", "kind"),
                             ("/api/certificates?q=" + "x" * 201, "q:"), ("/api/report?days=0", "days"),
                             ("/api/report?days=abc", "days"), ("/api/audit?limit=-1", "limit"), ("/api/trace?since=kemarin", "since"),
                             ("/api/trace?limit=0", "limit"), ("/api/trace?q=" + "x" * 321, "q:")):
            answer = self.lab.request("GET", path, cookie=cookie)
            self.assertEqual(answer.status, 400, path)
            self.assertIn(needle, answer.json()["error"])
        big = self.lab.request("POST", "/api/ra-sync", cookie=cookie, csrf=csrf, body=b"content=" + b"a" * (10 << 20),
                               content_type="application/x-www-form-urlencoded")
        self.assertEqual(big.status, 413)
        self.assertEqual(self.lab.request("GET", "/api/overview", cookie=cookie).status, 200)
        self.assertEqual(self.lab.request("GET", "/api/trace?q=nothing&since=2026-01-01", cookie=cookie).json(), [])

    def test_overview_report_and_audit(self):
        cookie, _ = self.lab.login("audit")
        overview = self.lab.request("GET", "/api/overview", cookie=cookie).json()
        listed = json.loads(self.lab.segel_cmd("directory", "list", "--json").stdout)
        for status in ("active", "expired"):
            self.assertEqual(overview["by_status"].get(status, 0), sum(r["status"] == status for r in listed))
        self.assertIn("30", overview["expiring"])
        report = self.lab.request("GET", "/api/report?format=csv&days=180", cookie=cookie)
        self.assertEqual(report.status, 200)
        self.assertTrue(report.text.startswith("UNIT,PEOPLE,ACTIVE"))
        self.assertIn("attachment", report.header("Content-Disposition"))
        self.assertEqual(len(self.lab.request("GET", "/api/report", cookie=cookie).json()["units"]), 1)
        audit = self.lab.request("GET", "/api/audit?limit=2", cookie=cookie).json()
        self.assertTrue(audit["intact"])
        self.assertEqual(len(audit["latest"]), 2)

    # -- changes -------------------------------------------------------------------
    def test_an_ra_case_previews_then_revokes_and_the_audit_log_names_the_person(self):
        cookie, csrf = self.lab.login("ra")
        fingerprint, serial = self.lab.fingerprint_of("alice")
        path = "/api/certificates/%s/case" % fingerprint
        self.assertEqual(self.lab.request("POST", path, {"case": "mutasi_rotasi"}, cookie=cookie).status, 403)
        bad = self.lab.request("POST", path, {"case": "dipecat"}, cookie=cookie, csrf=csrf)
        self.assertEqual(bad.status, 400)
        self.assertIn("mutasi_rotasi", bad.json()["error"])
        bad_date = self.lab.request("POST", path, {"case": "sanksi", "effective": "kemarin"}, cookie=cookie, csrf=csrf)
        self.assertEqual(bad_date.status, 400)
        preview = self.lab.request("POST", path, {"case": "mutasi_rotasi"}, cookie=cookie, csrf=csrf)
        self.assertEqual(preview.status, 200, preview.text)
        self.assertTrue(preview.json()["preview"])
        self.assertIn("no longer signed", preview.json()["effect"])
        self.assertIn("active", self.lab.segel_cmd("directory", "show", serial).stdout)
        done = self.lab.request("POST", path, {"case": "mutasi_rotasi", "confirm": "yes"}, cookie=cookie, csrf=csrf)
        self.assertEqual(done.status, 200, done.text)
        self.assertIn("revoked (affiliation_changed)", self.lab.segel_cmd("directory", "show", serial).stdout)
        again = self.lab.request("POST", path, {"case": "sanksi", "confirm": "yes"}, cookie=cookie, csrf=csrf)
        self.assertEqual(again.status, 422)
        self.assertEqual(self.audit()[-1]["actor"], "web:ra")
        self.assertEqual(self.lab.segel_cmd("audit", "verify").returncode, 0)

    def test_a_lost_key_case_opens_an_incident_that_an_operator_marks_handled(self):
        cookie, csrf = self.lab.login("ra")
        fingerprint, serial = self.lab.fingerprint_of("alice")
        done = self.lab.request("POST", "/api/certificates/%s/case" % fingerprint,
                                {"case": "kunci_hilang", "confirm": "yes"}, cookie=cookie, csrf=csrf)
        self.assertEqual(done.status, 200, done.text)
        incidents = self.lab.request("GET", "/api/incidents?status=open", cookie=cookie).json()
        self.assertEqual([i["kind"] for i in incidents], ["key_compromise"])
        self.assertIn(fingerprint, incidents[0]["detail"])
        self.assertEqual(self.lab.request("GET", "/api/overview", cookie=cookie).json()["incidents_open"], 1)
        path = "/api/incidents/%d" % incidents[0]["id"]
        audit_cookie, audit_csrf = self.lab.login("audit")
        self.assertEqual(self.lab.request("POST", path, {"status": "handled", "note": "x"}, cookie=audit_cookie,
                                          csrf=audit_csrf).status, 403)
        for fields, status in (({"status": "handled"}, 400), ({"status": "selesai", "note": "x"}, 400),
                               ({"status": "handled", "note": "a\nb"}, 400)):
            self.assertEqual(self.lab.request("POST", path, fields, cookie=cookie, csrf=csrf).status, status, fields)
        self.assertEqual(self.lab.request("POST", "/api/incidents/999999", {"status": "handled", "note": "x"},
                                          cookie=cookie, csrf=csrf).status, 422)
        handled = self.lab.request("POST", path, {"status": "handled", "note": "Sertifikat baru diminta ke BSrE"},
                                   cookie=cookie, csrf=csrf)
        self.assertEqual(handled.status, 200, handled.text)
        self.assertEqual(self.lab.request("GET", "/api/incidents?status=open", cookie=cookie).json(), [])
        listed = self.lab.request("GET", "/api/incidents", cookie=audit_cookie).json()
        self.assertEqual((listed[0]["status"], listed[0]["handled_by"]), ("handled", "web:ra"))
        self.assertEqual(self.audit()[-1]["action"], "incident_status")
        self.assertEqual(self.lab.segel_cmd("audit", "verify").returncode, 0)

    def test_an_auditor_reads_everything_and_changes_nothing(self):
        cookie, csrf = self.lab.login("audit")
        fingerprint, serial = self.lab.fingerprint_of("bambang")
        refused = self.lab.request("POST", "/api/certificates/%s/case" % fingerprint,
                                   {"case": "sanksi", "confirm": "yes"}, cookie=cookie, csrf=csrf)
        self.assertEqual(refused.status, 403)
        upload = self.lab.multipart("/api/ra-sync", {}, {"file": ("ra.csv", RA_HEADER)}, cookie, csrf)
        self.assertEqual(upload.status, 403)
        self.assertIn("active", self.lab.segel_cmd("directory", "show", serial).stdout)
        self.assertEqual(self.lab.request("GET", "/api/audit", cookie=cookie).status, 200)

    def test_ra_export_upload_previews_then_applies_exactly_what_was_previewed(self):
        cookie, csrf = self.lab.login("ra")
        _, serial = self.lab.fingerprint_of("eko")
        export = (RA_HEADER + "199001012015011003,eko@tangerangkota.go.id,Eko Prasetyo,Dinas Kominfo,individual,"
                  "revoked,pensiun,2026-11-01," + serial + "\n")
        audit_before = len(self.audit())
        preview = self.lab.multipart("/api/ra-sync", {}, {"file": ("ra.csv", export)}, cookie, csrf)
        self.assertEqual(preview.status, 200, preview.text)
        self.assertFalse(preview.json()["applied"])
        self.assertTrue(any(serial in change for change in preview.json()["changes"]))
        self.assertEqual(len(self.audit()), audit_before)
        pending = preview.json()["pending"]
        applied = self.lab.request("POST", "/api/ra-sync", {"pending": pending}, cookie=cookie, csrf=csrf)
        self.assertEqual(applied.status, 200, applied.text)
        self.assertTrue(applied.json()["applied"])
        self.assertIn("revoked (cessation_of_operation)", self.lab.segel_cmd("directory", "show", serial).stdout)
        replay = self.lab.request("POST", "/api/ra-sync", {"pending": pending}, cookie=cookie, csrf=csrf)
        self.assertEqual(replay.status, 400)

    def test_an_upload_that_is_not_an_ra_export_changes_nothing(self):
        cookie, csrf = self.lab.login("ra")
        audit_before = len(self.audit())
        for name, content in (("ra.csv", "\x89PNG\r\n\x1a\n\x00\x00"), ("ra.csv", "not,an,export\n1,2,3\n"),
                              ("ra.csv", "")):
            answer = self.lab.multipart("/api/ra-sync", {}, {"file": (name, content)}, cookie, csrf)
            self.assertIn(answer.status, (400, 422), answer.text)
            self.assertTrue(answer.json()["error"])
        self.assertEqual(len(self.audit()), audit_before)


    def crl(self, serial, signer="issuing"):
        """DER of a CRL naming the demo issuing CA that revokes `serial` (key compromise), signed by `signer`."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        pki = os.environ["SEGEL_TEST_PKI"]
        issuer = x509.load_pem_x509_certificate(open(os.path.join(pki, "issuing.pem"), "rb").read())
        key = serialization.load_pem_private_key(open(os.path.join(pki, signer + ".key.pem"), "rb").read(), None)
        now = datetime.datetime.now(datetime.timezone.utc)
        entry = (x509.RevokedCertificateBuilder().serial_number(int(serial, 16)).revocation_date(now)
                 .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False).build())
        crl = (x509.CertificateRevocationListBuilder().issuer_name(issuer.subject).last_update(now)
               .next_update(now + datetime.timedelta(days=1)).add_revoked_certificate(entry)
               .sign(key, hashes.SHA256()))
        return crl.public_bytes(serialization.Encoding.DER)

    def test_a_crl_upload_previews_then_applies_and_a_forged_one_changes_nothing(self):
        cookie, csrf = self.lab.login("ra")
        _, serial = self.lab.fingerprint_of("bambang")
        forged = self.crl(serial, signer="root")
        answer = self.lab.request("POST", "/api/crl-sync", cookie=cookie, csrf=csrf, body=self.multipart_body(forged),
                                  content_type="multipart/form-data; boundary=crlboundary")
        self.assertIn(answer.status, (400, 422), answer.text)
        self.assertIn("active", self.lab.segel_cmd("directory", "show", serial).stdout)
        preview = self.lab.request("POST", "/api/crl-sync", cookie=cookie, csrf=csrf,
                                   body=self.multipart_body(self.crl(serial)),
                                   content_type="multipart/form-data; boundary=crlboundary")
        self.assertEqual(preview.status, 200, preview.text)
        self.assertIn("1 revoked serials", preview.json()["summary"])
        self.assertIn("active", self.lab.segel_cmd("directory", "show", serial).stdout)
        applied = self.lab.request("POST", "/api/crl-sync", {"pending": preview.json()["pending"]}, cookie=cookie,
                                   csrf=csrf)
        self.assertEqual(applied.status, 200, applied.text)
        self.assertIn("revoked (key_compromise)", self.lab.segel_cmd("directory", "show", serial).stdout)
        # An RA preview's id does not apply as a CRL, nor the other way round.
        self.assertEqual(self.lab.request("POST", "/api/ra-sync", {"pending": preview.json()["pending"]},
                                          cookie=cookie, csrf=csrf).status, 400)

    def test_correspondents_listed_and_removed_and_the_policy_set_and_resolved(self):
        pki = os.environ["SEGEL_TEST_PKI"]
        ra_cookie, ra_csrf = self.lab.login("ra")
        with open(os.path.join(pki, "mitra.cert.pem")) as f:
            certificate = f.read()
        for bad in ("bukan sertifikat\n", open(os.path.join(pki, "alice.cert.pem")).read()):
            refused = self.lab.multipart("/api/correspondents", {}, {"file": ("x.pem", bad)}, ra_cookie, ra_csrf)
            self.assertIn(refused.status, (400, 422), refused.text)  # not a certificate; an internal address
        imported = self.lab.multipart("/api/correspondents", {}, {"file": ("mitra.pem", certificate)}, ra_cookie,
                                      ra_csrf)
        self.assertEqual(imported.status, 200, imported.text)
        self.assertTrue(imported.json()["imported"][0]["inserted"])
        audit_cookie, audit_csrf = self.lab.login("audit")
        self.assertEqual(self.lab.multipart("/api/correspondents", {}, {"file": ("mitra.pem", certificate)},
                                            audit_cookie, audit_csrf).status, 403)
        listed = self.lab.request("GET", "/api/correspondents?q=mitra", cookie=audit_cookie)
        self.assertEqual(listed.status, 200, listed.text)
        self.assertEqual([r["emails"] for r in listed.json()], [["mitra@mitra.example"]])
        fingerprint = listed.json()[0]["fingerprint"]
        path = "/api/correspondents/%s/remove" % fingerprint
        self.assertEqual(self.lab.request("POST", path, cookie=audit_cookie, csrf=audit_csrf).status, 403)
        self.assertEqual(self.lab.request("POST", path, cookie=ra_cookie).status, 403)  # no CSRF token
        removed = self.lab.request("POST", path, cookie=ra_cookie, csrf=ra_csrf)
        self.assertEqual(removed.status, 200, removed.text)
        self.assertEqual(self.lab.request("GET", "/api/correspondents", cookie=ra_cookie).json(), [])
        self.assertEqual(self.lab.request("POST", path, cookie=ra_cookie, csrf=ra_csrf).status, 422)
        self.lab.segel_cmd("correspondent", "import", os.path.join(pki, "mitra.cert.pem"))
        fingerprint = self.lab.request("GET", "/api/correspondents", cookie=ra_cookie).json()[0]["fingerprint"]
        not_waiting = self.lab.request("POST", "/api/correspondents/%s/approve" % fingerprint, cookie=ra_cookie,
                                       csrf=ra_csrf)
        self.assertEqual(not_waiting.status, 422, not_waiting.text)
        self.assertIn("not waiting for approval", not_waiting.json()["error"])

        rule = {"scope": "mitra.example", "mode": "required", "cipher": "aes256-gcm"}
        self.assertEqual(self.lab.request("POST", "/api/policies", rule, cookie=ra_cookie, csrf=ra_csrf).status, 403)
        admin_cookie, admin_csrf = self.lab.login("admin")
        for bad, needle in (({"scope": "mitra.example", "mode": "always"}, "mode"), ({"mode": "never"}, "scope"),
                            ({"scope": "bukan alamat", "mode": "never"}, "")):
            answer = self.lab.request("POST", "/api/policies", bad, cookie=admin_cookie, csrf=admin_csrf)
            self.assertIn(answer.status, (400, 422), answer.text)
            self.assertIn(needle, answer.json()["error"])
        saved = self.lab.request("POST", "/api/policies", rule, cookie=admin_cookie, csrf=admin_csrf)
        self.assertEqual(saved.status, 200, saved.text)
        self.assertEqual(saved.json()["set_by"], "web:admin")
        resolved = self.lab.request("GET", "/api/policies/resolve?address=teman@mitra.example", cookie=audit_cookie)
        self.assertEqual(resolved.status, 200, resolved.text)
        self.assertEqual((resolved.json()["mode"], resolved.json()["mode_from"]), ("required", "mitra.example"))
        self.assertEqual(resolved.json()["cipher"], "aes256-gcm")
        self.assertEqual([r["scope"] for r in self.lab.request("GET", "/api/policies", cookie=audit_cookie).json()],
                         ["mitra.example"])
        gone = self.lab.request("POST", "/api/policies/remove", {"scope": "mitra.example"}, cookie=admin_cookie,
                                csrf=admin_csrf)
        self.assertEqual(gone.status, 200, gone.text)
        self.assertEqual(self.lab.request("GET", "/api/policies", cookie=audit_cookie).json(), [])
        self.assertEqual(self.lab.segel_cmd("audit", "verify").returncode, 0)

    @staticmethod
    def multipart_body(data):
        return (b'--crlboundary\r\nContent-Disposition: form-data; name="file"; filename="ca.crl"\r\n'
                b'Content-Type: application/pkix-crl\r\n\r\n' + data + b'\r\n--crlboundary--\r\n')


class AccountsTest(unittest.TestCase):
    def setUp(self):
        self.lab = AdminLab(BUILD, os.environ["SEGEL_TEST_PKI"]).start()

    def tearDown(self):
        self.lab.stop()

    def test_administrators_manage_accounts_and_a_removed_one_is_logged_out(self):
        admin_cookie, admin_csrf = self.lab.login("admin")
        ra_cookie, ra_csrf = self.lab.login("ra")
        new = {"login": "budi", "role": "auditor", "password": "kata-sandi-budi-9"}
        self.assertEqual(self.lab.request("POST", "/api/accounts", new, cookie=ra_cookie, csrf=ra_csrf).status, 403)
        self.assertEqual(self.lab.request("GET", "/api/accounts", cookie=ra_cookie).status, 403)
        for bad in ({"login": "Budi!", "role": "auditor", "password": "kata-sandi-budi-9"},
                    {"login": "budi", "role": "raja", "password": "kata-sandi-budi-9"},
                    {"login": "budi", "role": "auditor", "password": "pendek"},
                    {"login": "budi", "password": "kata-sandi-budi-9"}):
            answer = self.lab.request("POST", "/api/accounts", bad, cookie=admin_cookie, csrf=admin_csrf)
            self.assertEqual(answer.status, 400, bad)
        added = self.lab.request("POST", "/api/accounts", new, cookie=admin_cookie, csrf=admin_csrf)
        self.assertEqual(added.status, 200, added.text)
        logins = [a["login"] for a in self.lab.request("GET", "/api/accounts", cookie=admin_cookie).json()]
        self.assertIn("budi", logins)
        budi_cookie, _ = self.lab.login("budi", "kata-sandi-budi-9")
        changed = self.lab.request("POST", "/api/accounts/budi/password", {"password": "kata-sandi-baru-99"},
                                   cookie=admin_cookie, csrf=admin_csrf)
        self.assertEqual(changed.status, 200, changed.text)
        self.assertEqual(self.lab.request("GET", "/api/session", cookie=budi_cookie).status, 401)
        budi_cookie, _ = self.lab.login("budi", "kata-sandi-baru-99")
        removed = self.lab.request("POST", "/api/accounts/budi/remove", cookie=admin_cookie, csrf=admin_csrf)
        self.assertEqual(removed.status, 200, removed.text)
        self.assertEqual(self.lab.request("GET", "/api/session", cookie=budi_cookie).status, 401)
        self.assertEqual(self.lab.request("POST", "/api/accounts/budi/remove", cookie=admin_cookie,
                                          csrf=admin_csrf).status, 422)
        actions = [(e["actor"], e["action"]) for e in json.loads(self.lab.segel_cmd("audit", "list", "--json").stdout)]
        for action in ("account_add", "account_password", "account_remove"):
            self.assertIn(("web:admin", action), actions)


class HttpsTest(unittest.TestCase):
    def test_with_a_certificate_and_key_it_speaks_only_https(self):
        lab = AdminLab(BUILD, os.environ["SEGEL_TEST_PKI"], https=True).start()
        try:
            cookie, _ = lab.login("audit")
            self.assertEqual(lab.request("GET", "/api/session", cookie=cookie).status, 200)
            lab.https = False
            try:  # plain HTTP on the HTTPS port gets no HTTP answer
                answer = lab.request("GET", "/api/session", cookie=cookie)
            except (OSError, http.client.HTTPException):
                pass
            else:
                self.fail("plain HTTP answered %d" % answer.status)
        finally:
            lab.stop()


class ExpiryTest(unittest.TestCase):
    def test_a_session_idle_longer_than_session_minutes_has_ended(self):
        lab = AdminLab(BUILD, os.environ["SEGEL_TEST_PKI"], session_minutes=1).start()
        try:
            cookie, _ = lab.login("audit")
            self.assertEqual(lab.request("GET", "/api/session", cookie=cookie).status, 200)
            time.sleep(62)
            self.assertEqual(lab.request("GET", "/api/session", cookie=cookie).status, 401)
        finally:
            lab.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        loader = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
        print("\n".join(t.id().split(".", 1)[1] for s in loader for t in s))
        sys.exit(0)
    BUILD = sys.argv.pop(1)
    unittest.main()
