#!/usr/bin/env python3
"""End-to-end: outbound signing through a real Postfix with segel-milter.

Each test starts its own PostfixLab (postfix_lab.py), submits with swaks,
and checks what the SMTP client saw and what Postfix delivered, verifying
signatures with OpenSSL, gpgsm and NSS (segel-test-verify) trusting only
the demo root. Run: test_outbound.py BUILD_DIR TestOutbound.test_name; `--list` prints every
test's name (CMake registers each one from it). Needs root (Postfix's master); exits 77 (skipped) otherwise.
"""
import datetime
import http.server
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postfix_lab import PostfixLab, wait_for, e2e_main, start_lab, stop_lab, verify_signed  # noqa: E402

BUILD = None
ALICE = "alice@tangerangkota.go.id"
BAMBANG = "bambang@tangerangkota.go.id"


def message(sender=ALICE, subject="Uji", extra_headers="", body="Isi surat dinas.\r\n", message_id=None):
    message_id = message_id or "<%s.%f@tangerangkota.go.id>" % (subject.replace(" ", "-"), time.time())
    return ("From: %s\r\nTo: warga@example.com\r\nSubject: %s\r\nMessage-ID: %s\r\n%s\r\n%s"
            % (sender, subject, message_id, extra_headers, body)).encode()


def verify_settings(pki, extra=""):
    """segel-milter settings that verify unauthenticated mail against the demo root."""
    return "[verify]\nenabled = on\nanchors = %s/root.pem\n%s" % (pki, extra)


class CrlServer:
    """An HTTP server on a loopback port serving one CRL from the demo issuing CA
    (made with Python's cryptography, independent of Segel) that revokes a user."""

    def __init__(self, pki, revoked_user):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        issuer = x509.load_pem_x509_certificate(open(os.path.join(pki, "issuing.pem"), "rb").read())
        key = serialization.load_pem_private_key(open(os.path.join(pki, "issuing.key.pem"), "rb").read(), None)
        revoked = x509.load_pem_x509_certificate(open(os.path.join(pki, revoked_user + ".cert.pem"), "rb").read())
        now = datetime.datetime.now(datetime.timezone.utc)
        entry = (x509.RevokedCertificateBuilder().serial_number(revoked.serial_number).revocation_date(now)
                 .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False).build())
        crl = (x509.CertificateRevocationListBuilder().issuer_name(issuer.subject)
               .last_update(now - datetime.timedelta(minutes=5)).next_update(now + datetime.timedelta(days=1))
               .add_revoked_certificate(entry).sign(key, hashes.SHA256()))
        body = crl.public_bytes(serialization.Encoding.DER)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/bsre-ca.crl" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class OutboundTest(unittest.TestCase):
    def lab_options(self, pki):
        return {}

    def setUp(self):
        pki = os.environ["SEGEL_TEST_PKI"]
        self.lab = PostfixLab(os.path.join(BUILD, "directory", "segel"), os.path.join(BUILD, "milter", "segel-milter"),
                              pki, **self.lab_options(pki))
        start_lab(self.lab)

    def tearDown(self):
        stop_lab(self, self.lab)

    def verify(self, delivered, user):
        code, output = verify_signed(BUILD, self.lab.root, delivered, user)
        self.assertEqual(code, 0, output)

    def signed_offline(self):
        """A message signed by alice with `segel msg sign`, as if it came from outside."""
        pki = os.environ["SEGEL_TEST_PKI"]
        result = subprocess.run([os.path.join(BUILD, "directory", "segel"), "msg", "sign", "--pkcs12",
                                 os.path.join(pki, "alice.p12"), "--passphrase-file", os.path.join(pki, "p12-passphrase")],
                                input=message(subject="Masuk", body="Undangan resmi.\r\n"), capture_output=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def submit_from_outside(self, data, **options):
        """Submits `data` without AUTH from a stranger, as mail arriving on port 25; it must be accepted."""
        code, transcript = self.lab.submit("x@example.org", data, sender="x@example.org", auth=False, **options)
        self.assertEqual(code, 0, transcript)

    def assert_refused(self, code, transcript, smtp_code, words):
        self.assertNotEqual(code, 0, transcript)
        self.assertIn("<** %s" % smtp_code, transcript)
        self.assertIn(words, transcript)


class TestOutbound(OutboundTest):
    def test_authenticated_sender_is_signed_and_verifies_everywhere(self):
        code, transcript = self.lab.submit(ALICE, message(subject="Rapat koordinasi"))
        self.assertEqual(code, 0, transcript)
        delivered = self.lab.wait_delivered(1)[0]
        self.assertIn(b'Content-Type: multipart/signed; protocol="application/pkcs7-signature";', delivered)
        self.verify(delivered, "alice")
        # The signing is evidence in the audit log (ID-08).
        audit = self.lab.segel_cmd("audit", "list").stdout
        self.assertIn("sign", audit)
        self.assertIn("Rapat-koordinasi", audit)
        self.assertIn("decision=signed action=accept login=" + ALICE, self.lab.milter_output())

    def test_unauthenticated_internal_from_is_never_signed(self):
        code, transcript = self.lab.submit(ALICE, message(subject="Tanpa AUTH"), auth=False)
        self.assertEqual(code, 0, transcript)
        delivered = self.lab.wait_delivered(1)[0]
        self.assertNotIn(b"multipart/signed", delivered)

    def test_login_bambang_may_not_sign_as_alice(self):
        code, transcript = self.lab.submit(BAMBANG, message(sender=ALICE), sender=ALICE)
        self.assert_refused(code, transcript, "550", "5.7.1 This login may not send signed mail as this sender address")
        self.assertEqual(self.lab.delivered(), [])

    def test_certificate_revoked_while_running_applies_to_the_next_message(self):
        code, transcript = self.lab.submit(ALICE, message(subject="Sebelum"))
        self.assertEqual(code, 0, transcript)
        self.lab.wait_delivered(1)
        serial = subprocess.run(["openssl", "x509", "-in", os.path.join(os.environ["SEGEL_TEST_PKI"], "alice.cert.pem"),
                                 "-noout", "-serial"], capture_output=True, text=True).stdout.strip().split("=")[1]
        revoked = self.lab.segel_cmd("directory", "revoke", serial, "--reason", "mutasi")
        self.assertEqual(revoked.returncode, 0, revoked.stderr)
        code, transcript = self.lab.submit(ALICE, message(subject="Sesudah"))
        self.assert_refused(code, transcript, "550", "certificate is revoked, expired or not usable")
        self.assertEqual(len(self.lab.delivered()), 1)

    def test_expired_certificate_is_refused(self):
        eko = "eko@tangerangkota.go.id"
        code, transcript = self.lab.submit(eko, message(sender=eko), sender=eko)
        self.assert_refused(code, transcript, "550", "certificate is revoked, expired or not usable")
        self.assertIn("decision=certificate_unusable", self.lab.milter_output())
        self.assertIn("expired", self.lab.milter_output())

    def test_two_from_fields_are_refused(self):
        code, transcript = self.lab.submit(ALICE, message(extra_headers="From: %s\r\n" % BAMBANG))
        self.assert_refused(code, transcript, "550", "cannot be signed as it is")

    def test_sender_without_certificate_is_refused(self):
        self.lab.segel_cmd("sync", "ra", "/dev/null")  # no-op: the directory is as imported
        code, transcript = self.lab.submit("mallory@tangerangkota.go.id",
                                           message(sender="mallory@tangerangkota.go.id"),
                                           sender="mallory@tangerangkota.go.id")
        self.assert_refused(code, transcript, "550", "No electronic certificate is registered for this sender address")

    def test_bounces_and_external_senders_pass_untouched(self):
        code, transcript = self.lab.submit(ALICE, message(sender="someone@example.org"), sender="someone@example.org")
        self.assertEqual(code, 0, transcript)
        self.assertNotIn(b"multipart/signed", self.lab.wait_delivered(1)[0])

    def test_sighup_reloads_settings_without_stopping(self):
        with open(os.path.join(self.lab.root, "segel-milter.conf"), "a") as f:
            f.write("[policy]\non_no_certificate = pass\n")
        self.lab.milter.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertIsNone(self.lab.milter.poll(), "SIGHUP must not stop the milter")
        code, transcript = self.lab.submit("mallory@tangerangkota.go.id", message(sender="mallory@tangerangkota.go.id"),
                                           sender="mallory@tangerangkota.go.id")
        self.assertEqual(code, 0, transcript)
        delivered = self.lab.wait_delivered(1)[0]
        self.assertIn(b"X-Segel-Unsigned: no_certificate", delivered)
        # A broken file on reload keeps the running settings.
        with open(os.path.join(self.lab.root, "segel-milter.conf"), "a") as f:
            f.write("[policy]\non_internal_error = maybe\n")
        self.lab.milter.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertIsNone(self.lab.milter.poll())
        self.assertIn("reload refused, keeping the running settings", self.lab.milter_output())
        code, transcript = self.lab.submit(ALICE, message(subject="Masih jalan"))
        self.assertEqual(code, 0, transcript)
        self.verify(self.lab.wait_delivered(2)[1], "alice")

    def test_sigterm_stops_cleanly(self):
        self.lab.milter.send_signal(signal.SIGTERM)
        self.assertEqual(self.lab.milter.wait(15), 0)
        # Postfix tempfails while the milter is down (milter_default_action):
        # at the first command after connect, or at end of data.
        code, transcript = self.lab.submit(ALICE, message(subject="Milter mati"))
        self.assertNotEqual(code, 0, transcript)
        self.assertRegex(transcript, r"<\*\* 4\d\d 4\.")

    def test_sigterm_with_an_idle_session_open_finishes_the_message_in_flight_and_exits(self):
        from postfix_lab import DEMO_PASSWORD
        idle = smtplib.SMTP("127.0.0.1", self.lab.submission, timeout=60)
        idle.ehlo("idle.example")
        idle.login(ALICE, DEMO_PASSWORD)  # an authenticated session that sends nothing
        busy = smtplib.SMTP("127.0.0.1", self.lab.submission, timeout=60)
        busy.ehlo("busy.example")
        busy.login(ALICE, DEMO_PASSWORD)
        self.assertEqual(busy.mail(ALICE)[0], 250)  # the milter has this message from MAIL FROM on
        stopped_at = time.monotonic()
        self.lab.milter.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        self.assertIsNone(self.lab.milter.poll(), "the milter must wait for the message in flight")
        self.assertEqual(busy.rcpt("warga@example.com")[0], 250)
        code, reply = busy.data(message(subject="Di tengah restart"))
        self.assertEqual(code, 250, reply)
        busy.quit()
        self.assertEqual(self.lab.milter.wait(10), 0)  # the idle session is not waited for
        self.assertLess(time.monotonic() - stopped_at, 10)
        self.verify(self.lab.wait_delivered(1)[0], "alice")
        # The idle session's next message meets the milter gone: a temporary failure.
        with self.assertRaises(smtplib.SMTPException) as refused:
            idle.sendmail(ALICE, ["warga@example.com"], message(subject="Sesudah restart"))
        self.assertRegex(str(refused.exception), r"4\d\d")
        idle.close()


class TestInbound(OutboundTest):
    """Unauthenticated mail is verified and stamped ([verify] enabled)."""

    def lab_options(self, pki):
        return {"milter_config": verify_settings(pki)}

    def test_signed_mail_arrives_stamped_pass(self):
        forged = b"Authentication-Results: tangerangkota.go.id; smime=pass (forged)\r\n"
        self.submit_from_outside(forged + self.signed_offline())
        delivered = self.lab.wait_delivered(1)[0]
        self.assertRegex(delivered, rb"Authentication-Results: tangerangkota\.go\.id;\s+smime=pass")
        self.assertIn(b"body.smime-identifier=alice@tangerangkota.go.id", delivered)
        self.assertIn(b"X-Segel-Verifikasi: Tanda tangan sah: ditandatangani oleh Alice Rahmawati", delivered)
        self.assertNotIn(b"(forged)", delivered)

    def test_tampered_mail_arrives_stamped_fail(self):
        tampered = self.signed_offline().replace(b"Undangan resmi.", b"Undangan palsu.")
        self.submit_from_outside(tampered)
        delivered = self.lab.wait_delivered(1)[0]
        self.assertRegex(delivered, rb"Authentication-Results: tangerangkota\.go\.id;\s+smime=fail")
        self.assertIn(b"X-Segel-Verifikasi: Tanda tangan TIDAK SAH", delivered)


class TestInboundHeaderShapes(OutboundTest):
    """Inbound mail is never judged by the signing checks, and forged verdict
    fields go on every path (AR-06), even with on_unsignable_message = pass."""

    def lab_options(self, pki):
        return {"milter_config": verify_settings(pki) + "[policy]\non_unsignable_message = pass\n"}

    def test_odd_headers_are_stamped_and_delivered_with_forged_fields_removed(self):
        forged = (b"Authentication-Results: tangerangkota.go.id; smime=pass (forged)\r\n"
                  b"X-Segel-Verifikasi: Tanda tangan sah (forged)\r\n")
        references = b"References: " + b" ".join(b"<%d.1234@example.org>" % i for i in range(80)) + b"\r\n"
        shapes = [b"X-Long: " + b"a" * 1200 + b"\r\n", references,
                  b"MIME-Version: 1.0\r\nContent-Type: text/plain; name=\"caf\xc3\xa9.txt\"\r\n"]
        for i, shape in enumerate(shapes):
            data = forged + shape + b"From: x@example.org\r\nTo: warga@example.com\r\nSubject: Bentuk %d\r\n\r\nIsi.\r\n" % i
            self.submit_from_outside(data)
        delivered = self.lab.wait_delivered(len(shapes))
        for copy in delivered:
            self.assertNotIn(b"(forged)", copy)
            self.assertRegex(copy, rb"Authentication-Results: tangerangkota\.go\.id;\s+none")
            self.assertIn(b"X-Segel-Verifikasi: Tidak ditandatangani", copy)
        self.assertNotIn("X-Segel-Unsigned", "".join(c.decode("utf-8", "replace") for c in delivered))


class TestInboundCrlDownload(OutboundTest):
    """[verify] crl_url: the daemon's background thread downloads the CRL (REV-05)."""

    def lab_options(self, pki):
        self.crl_server = CrlServer(pki, revoked_user="alice")
        self.cache = tempfile.mkdtemp(prefix="segel-crl-")
        return {"milter_config": verify_settings(pki, "crl_url = %s\ncrl_issuers = %s/issuing.pem\ncrl_cache_dir = %s\n"
                                                    % (self.crl_server.url, pki, self.cache))}

    def tearDown(self):
        super().tearDown()
        self.crl_server.stop()
        shutil.rmtree(self.cache, ignore_errors=True)

    def test_a_downloaded_crl_revokes_the_signer(self):
        wait_for(lambda: "crl: new CRL from " + self.crl_server.url in self.lab.milter_output(), 20, "the CRL download")
        self.submit_from_outside(self.signed_offline())
        delivered = self.lab.wait_delivered(1)[0]
        self.assertRegex(delivered, rb"Authentication-Results: tangerangkota\.go\.id;\s+smime=fail")
        self.assertIn(b"key compromise", delivered)


class TestInboundQuarantine(OutboundTest):
    """[verify] on_fail = quarantine: Postfix holds the message (smfi_quarantine)."""

    def lab_options(self, pki):
        return {"milter_config": verify_settings(pki, "on_fail = quarantine\n")}

    def test_tampered_mail_is_held_not_delivered(self):
        tampered = self.signed_offline().replace(b"Undangan resmi.", b"Undangan palsu.")
        self.submit_from_outside(tampered)
        hold = os.path.join(self.lab.root, "queue", "hold")
        wait_for(lambda: os.path.isdir(hold) and os.listdir(hold), 20, "a message in Postfix's hold queue")
        self.assertEqual(self.lab.delivered(), [])
        self.assertIn("action=quarantine", self.lab.milter_output())


class TestSignedThenVerified(OutboundTest):
    """Signed by the outbound path, received by the inbound path of a real
    Postfix, delivered to a local mailbox: the proof of issue 5's round trip."""

    def lab_options(self, pki):
        return {"milter_config": verify_settings(pki), "local_delivery": True}

    def send_signed(self):
        code, transcript = self.lab.submit(ALICE, message(subject="Undangan rapat", body="Rapat pukul 09.00.\r\n"),
                                           recipients=("kepala@penerima.test",))
        self.assertEqual(code, 0, transcript)
        return self.lab.mailbox(1)[0]

    def test_mail_signed_on_submission_arrives_in_a_local_mailbox_stamped_pass(self):
        arrived = self.send_signed()
        self.assertIn(b"multipart/signed", arrived)
        self.assertRegex(arrived, rb"Authentication-Results: tangerangkota\.go\.id;\s+smime=pass")
        self.assertIn(b"body.smime-identifier=alice@tangerangkota.go.id", arrived)
        self.assertIn(b"X-Segel-Verifikasi: Tanda tangan sah: ditandatangani oleh Alice Rahmawati", arrived)
        self.assertIn(b"Delivered-To: kepala@lokal.test", arrived)
        self.assertIn("decision=signed", self.lab.milter_output())
        self.assertIn("smime=pass", self.lab.milter_output())

    def test_a_tampered_copy_arrives_stamped_fail(self):
        arrived = self.send_signed()
        # An attacker resends the signed message with the time changed, straight to the MX port.
        body = arrived[arrived.index(b"MIME-Version:"):] if b"\nMIME-Version:" in arrived else arrived
        headers = b"From: %s\r\nTo: kepala@penerima.test\r\nSubject: Undangan rapat\r\n" % ALICE.encode()
        tampered = headers + body.replace(b"09.00", b"13.00")
        self.assertNotEqual(tampered, headers + body)
        self.submit_from_outside(tampered, recipients=("kepala@penerima.test",), port=self.lab.mx)
        second = self.lab.mailbox(2)[1]
        self.assertIn(b"13.00", second)
        self.assertRegex(second, rb"Authentication-Results: tangerangkota\.go\.id;\s+smime=fail")
        self.assertIn(b"X-Segel-Verifikasi: Tanda tangan TIDAK SAH", second)
        self.assertNotIn(b"Tanda tangan sah", second)  # the first delivery's stamp, resent, was removed (AR-06)


class TestKilledMilterLosesNothing(OutboundTest):
    def test_killing_the_milter_mid_load_loses_no_message(self):
        from postfix_lab import DEMO_PASSWORD
        count = 30
        results = {}

        def submit(i):
            results[i] = self.lab.submit(ALICE, message(subject="Beban %d" % i))

        # One message is surely in flight when the milter dies: the milter
        # has taken its MAIL FROM, and its data ends only afterwards.
        held = smtplib.SMTP("127.0.0.1", self.lab.submission, timeout=60)
        held.ehlo("held.example")
        held.login(ALICE, DEMO_PASSWORD)
        self.assertEqual(held.mail(ALICE)[0], 250)
        self.assertEqual(held.rcpt("warga@example.com")[0], 250)
        threads = [threading.Thread(target=submit, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        self.lab.milter.kill()  # SIGKILL mid-load
        self.lab.milter.wait()
        code, reply = held.data(message(subject="Beban %d" % count))
        held.close()
        self.assertEqual(code // 100, 4, reply)  # the message in flight is tempfailed, not lost
        for t in threads:
            t.join()
        failed = [i for i, (code, _) in results.items() if code != 0] + [count]
        for i, (code, transcript) in results.items():
            if code != 0:
                self.assertRegex(transcript, r"<\*\* 4\d\d 4\.", "a failed submission must be a temporary failure")
        # Decision lines from concurrent sessions are written whole.
        for line in self.lab.milter_output().splitlines():
            self.assertTrue(line and line.count("decision=") <= 1, "interleaved log line: %r" % line)
        # The client retries the tempfailed ones once the milter is back.
        self.lab.start_milter()
        for i in failed:
            code, transcript = self.lab.submit(ALICE, message(subject="Beban %d" % i))
            self.assertEqual(code, 0, transcript)
        delivered = self.lab.wait_delivered(count + 1)
        self.assertEqual(len(delivered), count + 1)
        subjects = sorted(int(m.split(b"Subject: Beban ")[1].split(b"\n")[0]) for m in delivered)
        self.assertEqual(subjects, list(range(count + 1)))
        for m in delivered:
            self.assertIn(b"multipart/signed", m)



if __name__ == "__main__":
    e2e_main(sys.modules[__name__])
