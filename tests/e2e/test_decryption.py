#!/usr/bin/env python3
"""End-to-end: inbound decryption through a real Postfix (issue 13).

Mail from an external correspondent (mitra, signed with the OpenSSL CLI) is
encrypted to demo users' encryption certificates by four implementations
that are not Segel (OpenSSL CLI, gpgsm, NSS cmsutil, Bouncy Castle), with
CBC and GCM, RSA PKCS#1 v1.5, RSA-OAEP and ECDH where each can, and arrives
without SMTP AUTH, as inbound mail does. segel-milter decrypts it for the
local recipient, verifies the inner signature and stamps both; what is
delivered opens in OpenSSL as a signed message. TestDecryptionHop runs the
decryption hop as deploy/postfix describes it: several recipients, and an
alias that forwards a local address outside, each get the form they may
have. Run: test_decryption.py BUILD_DIR Class.test_name; `--list` prints the
names. Needs root; exits 77 (skipped) otherwise.
"""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import encryptors  # noqa: E402
from postfix_lab import PostfixLab, wait_for, e2e_main, start_lab, stop_lab  # noqa: E402

BUILD = None
ALICE = "alice@tangerangkota.go.id"
BAMBANG = "bambang@tangerangkota.go.id"
MITRA = "mitra@mitra.example"
USERS = ("alice", "bambang", "eko", "alice-enc", "bambang-enc")
CONTENT = b"Content-Type: text/plain; charset=utf-8\r\n\r\nLaporan rahasia untuk kepala dinas.\r\n"


def outer(to, subject):
    return ("From: Mitra <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%f@mitra.example>\r\n"
            % (MITRA, to, subject, time.time())).encode()


class DecryptionLab(unittest.TestCase):
    """A lab whose milter verifies and decrypts inbound mail; subclasses say how."""
    hop = False
    milter_extra = ""
    aliases = None

    def setUp(self):
        self.pki = os.environ["SEGEL_TEST_PKI"]
        config = ("[verify]\nenabled = on\nanchors = %s\n[decryption]\nenabled = on\n%s"
                  % (os.path.join(self.pki, "root.pem"), self.milter_extra))
        if self.hop:
            config += "[routing]\ndecrypt_service = segel-decrypt\n"
        self.lab = PostfixLab(os.path.join(BUILD, "directory", "segel"), os.path.join(BUILD, "milter", "segel-milter"),
                              self.pki, users=USERS, milter_config=config, decryption_hop=self.hop,
                              aliases=self.aliases)
        start_lab(self.lab)

    def tearDown(self):
        stop_lab(self, self.lab)

    def send(self, data, recipients):
        # No SMTP AUTH: the milter treats it as mail arriving from outside.
        code, transcript = self.lab.submit(MITRA, data, sender=MITRA, recipients=recipients, auth=False)
        self.assertEqual(code, 0, transcript)

    def copies(self, count):
        """{recipient: delivered bytes} once `count` copies have arrived."""
        wait_for(lambda: sum(len(r) for r, _ in self.lab.delivered_to()) >= count, 30, "%d delivered copies" % count)
        time.sleep(0.3)
        return {recipient: data for recipients, data in self.lab.delivered_to() for recipient in recipients}

    def field(self, data, name):
        header = data.split(b"\n\n", 1)[0].replace(b"\r\n", b"\n").replace(b"\n\t", b" ").replace(b"\n ", b" ")
        for line in header.split(b"\n"):
            if line.lower().startswith(name.lower().encode() + b":"):
                return line.split(b":", 1)[1].strip().decode("utf-8", "replace")
        return ""

    def assert_decrypted(self, data, user, signed=True):
        verdict = self.field(data, "X-Segel-Verifikasi")
        self.assertTrue(verdict.startswith("Didekripsi oleh gateway"), verdict)
        self.assertNotIn(b"pkcs7-mime", data)
        self.assertIn(b"Laporan rahasia untuk kepala dinas.", data)
        self.assertIn("decrypted by the gateway", self.field(data, "Authentication-Results"))
        if signed:
            self.assertIn("Tanda tangan sah", verdict)
            path = os.path.join(self.lab.root, "delivered.eml")
            with open(path, "wb") as f:
                f.write(data)
            verified = subprocess.run(["openssl", "smime", "-verify", "-in", path, "-CAfile",
                                       os.path.join(self.pki, "root.pem"), "-out", "/dev/null"], capture_output=True)
            self.assertEqual(verified.returncode, 0, verified.stderr)

    def assert_still_encrypted(self, data):
        self.assertIn(b"application/pkcs7-mime", data)
        self.assertNotIn(b"Laporan rahasia", data)
        self.assertTrue(self.field(data, "X-Segel-Verifikasi").startswith("Terenkripsi, tidak dibuka oleh gateway"))


class TestDecryption(DecryptionLab):
    def test_mail_encrypted_by_four_implementations_is_decrypted_and_its_signature_verified(self):
        signed = encryptors.signed_entity(self.pki, "mitra", CONTENT)
        cases = [
            ("openssl cbc", ALICE, encryptors.openssl(self.pki, signed, ["alice-enc"]), False),
            ("openssl gcm oaep", ALICE, encryptors.openssl(self.pki, signed, ["alice-enc"], gcm=True, oaep=True), True),
            ("openssl ecdh", BAMBANG, encryptors.openssl(self.pki, signed, ["bambang-enc"]), False),
            ("gpgsm", ALICE, encryptors.gpgsm(self.pki, signed, "alice-enc"), False),
            ("nss", ALICE, encryptors.nss(self.pki, signed, "alice-enc"), False),
            ("bc cbc", ALICE, encryptors.bouncy_castle(self.pki, signed, ["alice-enc"]), False),
            ("bc gcm oaep", ALICE, encryptors.bouncy_castle(self.pki, signed, ["alice-enc"], gcm=True, oaep=True), True),
            ("bc ecdh gcm", BAMBANG, encryptors.bouncy_castle(self.pki, signed, ["bambang-enc"], gcm=True), True),
        ]
        for name, recipient, der, gcm in cases:
            self.send(encryptors.message(outer(recipient, name), der, authenticated=gcm), [recipient])
        delivered = {}
        wait_for(lambda: len(self.lab.delivered_to()) >= len(cases), 60, "%d delivered messages" % len(cases))
        time.sleep(0.3)
        for _, data in self.lab.delivered_to():
            delivered[self.field(data, "Subject")] = data
        for name, recipient, _, _ in cases:
            with self.subTest(name):
                self.assertIn(name, delivered)
                self.assert_decrypted(delivered[name], recipient)
        log = self.lab.milter_output()
        self.assertEqual(log.count("decrypted with"), len(cases), log[-3000:])
        self.assertIn("decrypt", self.lab.segel_cmd("audit", "list").stdout)

    def test_gcm_without_a_signature_is_released_cbc_without_one_stays_encrypted(self):
        gcm = encryptors.bouncy_castle(self.pki, CONTENT, ["alice-enc"], gcm=True)
        cbc = encryptors.openssl(self.pki, CONTENT, ["alice-enc"])
        self.send(encryptors.message(outer(ALICE, "gcm"), gcm, authenticated=True), [ALICE])
        self.send(encryptors.message(outer(ALICE, "cbc"), cbc), [ALICE])
        wait_for(lambda: len(self.lab.delivered_to()) >= 2, 30, "2 delivered messages")
        time.sleep(0.3)
        by_subject = {self.field(data, "Subject"): data for _, data in self.lab.delivered_to()}
        self.assert_decrypted(by_subject["gcm"], "alice-enc", signed=False)
        self.assert_still_encrypted(by_subject["cbc"])

    def test_an_encrypted_attachment_or_forward_is_never_opened(self):
        der = encryptors.openssl(self.pki, encryptors.signed_entity(self.pki, "mitra", CONTENT), ["alice-enc"])
        inner = encryptors.message(outer(ALICE, "inner"), der)
        forward = (outer(ALICE, "forward") + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"f\"\r\n"
                   b"\r\n--f\r\nContent-Type: text/plain\r\n\r\nDiteruskan.\r\n--f\r\nContent-Type: message/rfc822\r\n"
                   b"\r\n" + inner + b"\r\n--f--\r\n")
        self.send(forward, [ALICE])
        data = self.copies(1)[ALICE]
        self.assertIn(b"application/pkcs7-mime", data)
        self.assertNotIn(b"Laporan rahasia", data)
        self.assertTrue(self.field(data, "X-Segel-Verifikasi").startswith("Bagian terenkripsi di dalam surel tidak dibuka"))


class TestHarvest(DecryptionLab):
    """Outbound encryption on (opportunistic for everyone), anchors with the issuing CA for recipients' paths."""

    def setUp(self):
        pki = os.environ["SEGEL_TEST_PKI"]
        self.anchors = os.path.join(os.environ.get("TMPDIR", "/tmp"), "segel-e2e-harvest-%d.pem" % os.getpid())
        with open(self.anchors, "wb") as f:
            for name in ("root.pem", "issuing.pem"):
                f.write(open(os.path.join(pki, name), "rb").read())
        self.milter_extra = "[encryption]\nenabled = on\nanchors = %s\n" % self.anchors
        super().setUp()
        result = self.lab.segel_cmd("policy", "set", "*", "--mode", "opportunistic")
        self.assertEqual(result.returncode, 0, result.stderr)

    def tearDown(self):
        super().tearDown()
        os.unlink(self.anchors)

    def letter_to_mitra(self, subject):
        data = ("From: Alice <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%f@tangerangkota.go.id>\r\n\r\n"
                "Balasan.\r\n" % (ALICE, MITRA, subject, time.time())).encode()
        code, transcript = self.lab.submit(ALICE, data, sender=ALICE, recipients=[MITRA])
        self.assertEqual(code, 0, transcript)

    def test_a_verified_signature_makes_the_next_reply_encrypted(self):
        self.letter_to_mitra("before")  # no certificate of mitra's known yet: signed only
        signed = encryptors.signed_entity(self.pki, "mitra", CONTENT)
        self.send(outer(ALICE, "from mitra") + b"MIME-Version: 1.0\r\n" + signed, [ALICE])
        wait_for(lambda: len(self.lab.delivered_to()) >= 2, 30, "2 delivered messages")
        self.letter_to_mitra("after")
        wait_for(lambda: len(self.lab.delivered_to()) >= 3, 30, "3 delivered messages")
        time.sleep(0.3)
        by_subject = {self.field(data, "Subject"): data for _, data in self.lab.delivered_to()}
        self.assertTrue(self.field(by_subject["from mitra"], "X-Segel-Verifikasi").startswith("Tanda tangan sah"))
        self.assertIn(b"multipart/signed", by_subject["before"])
        self.assertNotIn(b"pkcs7-mime", by_subject["before"])
        self.assertIn(b"smime-type=enveloped-data", by_subject["after"])
        listed = self.lab.segel_cmd("correspondent", "list").stdout
        self.assertIn("harvested", listed)


class TestDecryptionHop(DecryptionLab):
    hop = True
    # Every message takes the hop, after alias expansion: kabag forwards outside.
    milter_extra = "single_recipient_direct = off\n"
    aliases = {"kabag@tangerangkota.go.id": [ALICE, "warga@example.com"]}

    def test_each_recipient_gets_the_form_it_may_have(self):
        der = encryptors.openssl(self.pki, encryptors.signed_entity(self.pki, "mitra", CONTENT),
                                 ["alice-enc", "bambang-enc"])
        self.send(encryptors.message(outer(ALICE, "split"), der), [ALICE, BAMBANG, "eko@tangerangkota.go.id"])
        copies = self.copies(3)
        self.assert_decrypted(copies[ALICE], "alice-enc")
        self.assert_decrypted(copies[BAMBANG], "bambang-enc")
        self.assert_still_encrypted(copies["eko@tangerangkota.go.id"])  # no key of eko's among the RecipientInfos
        for data in copies.values():
            self.assertNotIn(b"X-Segel-Decrypt", data)
        self.assertIn("segel-decrypt", self.lab.postfix_log())

    def test_an_alias_that_forwards_outside_never_carries_the_plaintext(self):
        der = encryptors.openssl(self.pki, encryptors.signed_entity(self.pki, "mitra", CONTENT), ["alice-enc"])
        self.send(encryptors.message(outer("kabag@tangerangkota.go.id", "alias"), der), ["kabag@tangerangkota.go.id"])
        copies = self.copies(2)
        self.assert_decrypted(copies[ALICE], "alice-enc")
        self.assert_still_encrypted(copies["warga@example.com"])


if __name__ == "__main__":
    e2e_main(sys.modules[__name__])
