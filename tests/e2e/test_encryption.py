#!/usr/bin/env python3
"""End-to-end: outbound encryption through a real Postfix (issue 12).

Postfix runs Segel's encryption hop as deploy/postfix describes it: the
submission milter signs and marks, milter_header_checks sends marked mail
through the segel-encrypt transport (one recipient per delivery, after
virtual alias expansion) to the hop smtpd, where segel-milter encrypts for
that recipient. Each delivered copy is opened with the recipient's key by
OpenSSL and its inner signature verified; RecipientInfos are counted to show
nobody's copy names another's certificate. Run: test_encryption.py BUILD_DIR
TestEncryption.test_name; `--list` prints the names. Needs root; exits 77
(skipped) otherwise.
"""
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postfix_lab import PostfixLab, wait_for, e2e_main, stop_lab  # noqa: E402

BUILD = None
ALICE = "alice@tangerangkota.go.id"
MITRA = "mitra@mitra.example"
REKAN = "rekan@example.org"


def letter(to, subject="Rapat", cc=""):
    stamp = "%f" % time.time()
    return ("From: Alice <%s>\r\nTo: %s\r\n%sSubject: %s\r\nMessage-ID: <%s@tangerangkota.go.id>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Isi surat rahasia \xc3\xa9.\r\n" % (ALICE, to, ("Cc: %s\r\n" % cc) if cc else "", subject, stamp)
            ).encode("latin-1")


class TestEncryption(unittest.TestCase):
    def setUp(self):
        self.pki = os.environ["SEGEL_TEST_PKI"]
        self.root_dir = None
        anchors = os.path.join(os.environ.get("TMPDIR", "/tmp"), "segel-e2e-anchors-%d.pem" % os.getpid())
        with open(anchors, "wb") as f:
            for name in ("root.pem", "issuing.pem"):
                f.write(open(os.path.join(self.pki, name), "rb").read())
        self.anchors = anchors
        self.lab = PostfixLab(os.path.join(BUILD, "directory", "segel"), os.path.join(BUILD, "milter", "segel-milter"),
                              self.pki, encryption_hop=True,
                              aliases={"mitra-alias@tangerangkota.go.id": [MITRA]},
                              milter_config="[routing]\nencrypt_service = segel-encrypt\n[encryption]\nenabled = on\n"
                                            "anchors = %s\n" % anchors)
        try:
            self.lab.make_directory()
            for user in ("mitra", "rekan", "sahabat"):
                self.segel("correspondent", "import", os.path.join(self.pki, user + ".cert.pem"))
            self.segel("policy", "set", "*", "--mode", "opportunistic")
            self.segel("policy", "set", "example.com", "--mode", "required")
            self.lab.start_milter()
            self.lab.start_sink()
            self.lab.start_postfix()
        except Exception:
            self.lab.stop()
            raise

    def tearDown(self):
        stop_lab(self, self.lab)
        os.unlink(self.anchors)

    def segel(self, *args):
        result = self.lab.segel_cmd(*args)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result.stdout

    def submit(self, data, recipients, login=ALICE, auth=True):
        code, transcript = self.lab.submit(login, data, sender=ALICE, recipients=recipients, auth=auth)
        self.assertEqual(code, 0, transcript)

    def copies(self, count):
        """{recipient: delivered bytes} once `count` copies have arrived."""
        wait_for(lambda: len(os.listdir(self.lab.sink_dir)) >= count, 30, "%d delivered copies" % count)
        time.sleep(0.3)
        out = {}
        for recipients, data in self.lab.delivered_to():
            for recipient in recipients:
                out[recipient] = data
        return out

    def run_openssl(self, args, data):
        path = os.path.join(self.lab.root, "m.eml")
        with open(path, "wb") as f:
            f.write(data)
        return subprocess.run(["openssl", *args, "-in", path], capture_output=True)

    def opened(self, data, user):
        """The decrypted content with `user`'s key; its inner signature must verify against the demo root."""
        result = self.run_openssl(["cms", "-decrypt", "-binary", "-recip", os.path.join(self.pki, user + ".cert.pem"),
                                   "-inkey", os.path.join(self.pki, user + ".key.pem")], data)
        self.assertEqual(result.returncode, 0, result.stderr)
        inner = result.stdout
        verified = self.run_openssl(["smime", "-verify", "-CAfile", os.path.join(self.pki, "root.pem"), "-out", "/dev/null"],
                                    inner)
        self.assertEqual(verified.returncode, 0, verified.stderr)
        return inner

    def recipient_serials(self, data):
        """Serial numbers named by the enveloped data's RecipientInfos."""
        printed = self.run_openssl(["cms", "-cmsout", "-print"], data)
        self.assertEqual(printed.returncode, 0, printed.stderr)
        return re.findall(r"serialNumber: (\S+)", printed.stdout.decode())

    def serial_of(self, user):
        out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", os.path.join(self.pki, user + ".cert.pem")],
                             capture_output=True, text=True).stdout
        return int(out.strip().split("=")[1], 16)

    def assert_encrypted_for(self, data, user):
        self.assertRegex(data, rb"Content-Type: application/pkcs7-mime; [^\n]*smime-type=enveloped-data")
        self.assertNotIn(b"X-Segel-Encrypt", data)
        serials = [int(s, 16) if s.lower().startswith("0x") else int(s) for s in self.recipient_serials(data)]
        self.assertEqual(serials, [self.serial_of(user)], "only %s's certificate may be named" % user)
        return self.opened(data, user)

    def test_a_recipient_with_a_certificate_gets_it_signed_then_encrypted(self):
        self.submit(letter(MITRA), [MITRA])
        copy = self.copies(1)[MITRA]
        inner = self.assert_encrypted_for(copy, "mitra")
        self.assertIn(b"Isi surat rahasia", inner)
        self.assertIn(b"Subject: Rapat", copy)  # outer fields stay
        # One external recipient: encrypted at the submission, no hop.
        self.assertIn("decision=signed_encrypted", self.lab.milter_output())
        self.assertNotIn("segel-encrypt", self.lab.postfix_log())
        audit = self.segel("audit", "list")
        self.assertIn("encrypt", audit)
        self.assertIn("source:operator_import", audit)

    def test_without_a_certificate_opportunistic_sends_signed_only_and_takes_no_hop(self):
        self.submit(letter("warga@example.net"), ["warga@example.net"])
        copy = self.copies(1)["warga@example.net"]
        self.assertIn(b"multipart/signed", copy)
        self.assertNotIn(b"X-Segel-Encrypt", copy)
        self.assertNotIn("segel-encrypt", self.lab.postfix_log())  # no extra queue pass

    def test_mixed_recipients_and_a_bcc_each_get_their_own_form(self):
        # mitra (To), rekan (Bcc, EC key), warga@example.com (required, no certificate).
        self.submit(letter(MITRA, cc="warga@example.com"), [MITRA, REKAN, "warga@example.com"])
        copies = self.copies(3)  # two encrypted copies and the bounce to alice
        self.assert_encrypted_for(copies[MITRA], "mitra")
        self.assert_encrypted_for(copies[REKAN], "rekan")
        self.assertNotIn("warga@example.com", copies)
        bounce = copies[ALICE]
        self.assertIn(b"warga@example.com", bounce)
        self.assertIn(b"tidak ada sertifikat enkripsi", bounce)
        self.assertIn(b"no encryption certificate is known", bounce)

    def test_the_subject_trigger_needs_authentication(self):
        self.submit(letter("teman@example.net", subject="[rahasia] Anggaran"), ["teman@example.net", MITRA])
        copies = self.copies(2)
        mitra = copies[MITRA]
        self.assertIn(b"Subject: Anggaran", mitra)
        self.assertNotIn(b"[rahasia]", mitra)
        self.assert_encrypted_for(mitra, "mitra")
        self.assertIn(b"teman@example.net", copies[ALICE])  # refused: required by the trigger, no certificate
        # Without AUTH the tag is nobody's order: the message passes as it came.
        code, transcript = self.lab.submit("x@example.org", letter(MITRA, subject="[rahasia] Dari luar"),
                                           sender="x@example.org", recipients=[MITRA], auth=False)
        self.assertEqual(code, 0, transcript)
        wait_for(lambda: len(os.listdir(self.lab.sink_dir)) >= 3, 30, "the unauthenticated message")
        time.sleep(0.3)
        last = self.lab.delivered_to()[-1][1]
        self.assertIn(b"[rahasia] Dari luar", last)
        self.assertNotIn(b"pkcs7-mime", last)

    def test_an_alias_is_treated_as_the_address_it_expands_to(self):
        self.submit(letter("mitra-alias@tangerangkota.go.id"), ["mitra-alias@tangerangkota.go.id"])
        self.assert_encrypted_for(self.copies(1)[MITRA], "mitra")

    def test_a_revoked_recipient_certificate_stops_encryption_at_the_next_message(self):
        self.segel("policy", "set", "mitra.example", "--mode", "required")
        self.submit(letter(MITRA), [MITRA])
        self.assert_encrypted_for(self.copies(1)[MITRA], "mitra")
        # The CA revokes mitra's certificate; the daemon's next CRL load knows it.
        crl = os.path.join(self.lab.root, "issuing.crl")
        index = os.path.join(self.lab.root, "crl-ca")
        make_crl(self.pki, index, "mitra", crl)
        with open(os.path.join(self.lab.root, "segel-milter.conf"), "a") as f:
            f.write("[verify]\ncrl = %s\n" % crl)
        self.lab.milter.send_signal(1)  # SIGHUP: reload
        wait_for(lambda: "reloaded settings" in self.lab.milter_output(), 10, "the reload")
        # One recipient: refused at the submission itself, the client reads why.
        code, transcript = self.lab.submit(ALICE, letter(MITRA, subject="Sesudah"), sender=ALICE, recipients=[MITRA])
        self.assertNotEqual(code, 0, transcript)
        self.assertIn("550", transcript)
        self.assertIn("dicabut", transcript)
        self.assertIn("revoked", transcript)
        # With a second recipient the hop refuses it: the sender gets a bounce.
        self.submit(letter(MITRA, subject="Berdua"), [MITRA, REKAN])
        copies = self.copies(3)
        self.assert_encrypted_for(copies[REKAN], "rekan")
        self.assertIn(b"dicabut", copies[ALICE])
        self.assertIn(b"revoked", copies[ALICE])


def make_crl(pki, folder, user, out):
    """A CRL of the demo issuing CA revoking `user` (keyCompromise), made with the openssl CLI."""
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, "index.txt"), "w").close()
    with open(os.path.join(folder, "crlnumber"), "w") as f:
        f.write("2000\n")
    config = os.path.join(folder, "ca.cnf")
    with open(config, "w") as f:
        f.write("[ca]\ndefault_ca = c\n[c]\ndatabase = %s/index.txt\ncrlnumber = %s/crlnumber\ndefault_md = sha256\n"
                "default_crl_days = 7\n" % (folder, folder))
    common = ["-config", config, "-keyfile", os.path.join(pki, "issuing.key.pem"), "-cert", os.path.join(pki, "issuing.pem")]
    subprocess.run(["openssl", "ca", *common, "-revoke", os.path.join(pki, user + ".cert.pem"), "-crl_reason",
                    "keyCompromise"], check=True, capture_output=True)
    subprocess.run(["openssl", "ca", *common, "-gencrl", "-out", out], check=True, capture_output=True)



if __name__ == "__main__":
    e2e_main(sys.modules[__name__])
