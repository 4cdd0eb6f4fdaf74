#!/usr/bin/env python3
"""check_decryption.py SEGEL CORPUS_DIR

Runs `segel msg decrypt` (segel-milter's rules) over the encrypted rows of
../shared/corpus whose private keys the corpus holds, and compares what it
does with what each source says (expected_verdicts.csv):

    the envelope at the root or directly inside signature layers
      -> opened with the row's key: with --unprotected mark the content
         reads as the source says; by default it is released only when it
         is a signed entity whose signature passes (the source's
         "VALID + DECRYPT_OK" with its own trust anchor), otherwise kept
         encrypted (DEC-02)
    an encrypted part inside multipart/mixed or /alternative, or under an
    OpenPGP signature (Thunderbird's refusals, the EFAIL-style bait)
      -> never opened (DEC-01)
    malformed CMS (OpenSSL's CVE regressions, a PWRI without its KDF)
      -> the one "cannot be decrypted" refusal, never a crash (DEC-03)

Algorithms OpenSSL 3.0 does not open are named in UNSUPPORTED with the
reason; they must fail cleanly like any other failure. Exit 1 if a row
disagrees.
"""
import base64
import csv
import os
import shutil
import subprocess
import sys
import tempfile

TB = "thunderbird-comm-central/"
OPENSSL = "openssl/test/"
RFC9216 = "rfc9216/examples-cms/"

# Rows OpenSSL 3.0 (Debian 12) cannot open, and why; each must still fail
# cleanly with the one refusal.
UNSUPPORTED = {
    "rfc4134/5.2.bin": "RC2 is in OpenSSL 3's legacy provider only",
    "bouncycastle-bc-java/mail-smime-test/test128.message": "OpenSSL rejects its content key length (BC accepts)",
    "bouncycastle-bc-java/mail-smime-test/test256.message": "OpenSSL rejects its content key length (BC accepts)",
    RFC9216 + "pem-encoded/authEnvelopedForBobChaCha20Poly1305.pem": "ChaCha20-Poly1305 AuthEnvelopedData",
    RFC9216 + "pem-encoded/authEnvelopedForDanaX25519HKDF.pem": "X25519 with HKDF (RFC 9629)",
}

CRASHERS = [  # (file, certificate, key): must be refused cleanly
    (OPENSSL + "recipes/80-test_cms_data/dh-malformed.der", OPENSSL + "recipes/80-test_cms_data/dh-cert.pem",
     OPENSSL + "recipes/80-test_cms_data/dh-key.pem"),
    (OPENSSL + "recipes/80-test_cms_data/ecdh-malformed.der", OPENSSL + "recipes/80-test_cms_data/ecdh-cert.pem",
     OPENSSL + "recipes/80-test_cms_data/ecdh-key.pem"),
    (OPENSSL + "recipes/80-test_cms_data/rsa-malformed.der", None, None),
    (OPENSSL + "cms-msg/missing-kdf.der", OPENSSL + "recipes/80-test_cms_data/ecdh-cert.pem",
     OPENSSL + "recipes/80-test_cms_data/ecdh-key.pem"),
]


class Checker:
    def __init__(self, segel, corpus):
        self.segel = segel
        self.corpus = corpus
        self.work = tempfile.mkdtemp(prefix="segel-corpus-decrypt-")
        self.failures = []
        self.checked = 0
        self.fallback_trust = os.path.join(self.work, "none.pem")

    def path(self, relative):
        return os.path.join(self.corpus, relative)

    def private_copy(self, source, name):
        """Key material copied with mode 0600 (segel refuses keys others may read)."""
        target = os.path.join(self.work, name)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        return target

    def pem_of(self, source, name, kind):
        """A DER certificate (x509) or PKCS#8 key (pkey) as PEM."""
        target = os.path.join(self.work, name)
        subprocess.run(["openssl", kind, "-inform", "DER", "-in", source, "-out", target], check=True,
                       capture_output=True)
        os.chmod(target, 0o600)
        return target

    def as_message(self, relative):
        """A raw CMS object (DER or PEM) wrapped as the application/pkcs7-mime message a client sends."""
        source = self.path(relative)
        data = open(source, "rb").read()
        if data.startswith(b"-----BEGIN"):
            data = base64.b64decode(b"".join(line for line in data.splitlines() if not line.startswith(b"-----")))
        target = os.path.join(self.work, os.path.basename(relative) + ".eml")
        with open(target, "wb") as f:
            f.write(b"From: a@example.org\r\nTo: bob@example.com\r\nSubject: corpus\r\nMIME-Version: 1.0\r\n"
                    b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
                    b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data).replace(b"\n", b"\r\n"))
        return target

    def run(self, message, key_args, trust, mark=False):
        args = [self.segel, "msg", "decrypt", "--trust", trust] + key_args + [message]
        if mark:
            args[3:3] = ["--unprotected", "mark"]
        return subprocess.run(args, capture_output=True)

    def expect(self, name, ok, detail):
        self.checked += 1
        print("%-4s %s%s" % ("ok" if ok else "FAIL", name, "" if ok else ": " + detail))
        if not ok:
            self.failures.append(name)

    # -- the kinds of rows ---------------------------------------------------------------
    def opens(self, name, message, key_args, trust, text, released):
        marked = self.run(message, key_args, trust, mark=True)
        self.expect(name + " (opened, content)", marked.returncode == 0 and text in marked.stdout,
                    "exit %d: %s" % (marked.returncode, marked.stderr.decode("utf-8", "replace")[-300:]))
        default = self.run(message, key_args, trust)
        if released:
            ok = default.returncode == 0 and b"Didekripsi oleh gateway" in default.stderr
        else:
            ok = default.returncode == 65 and b"not released" in default.stderr and not default.stdout
        self.expect(name + (" (released)" if released else " (kept encrypted by default)"), ok,
                    "exit %d: %s" % (default.returncode, default.stderr.decode("utf-8", "replace")[-300:]))

    def never_opened(self, name, message, key_args, trust):
        """Not opened: refused as a nested layer, or (a broken bait) as a malformed message; nothing written."""
        result = self.run(message, key_args, trust, mark=True)
        said = result.stderr
        self.expect(name + " (never opened)", result.returncode == 65 and not result.stdout and
                    (b"never opened" in said or b"malformed_message" in said),
                    "exit %d: %s" % (result.returncode, result.stderr.decode("utf-8", "replace")[-300:]))

    def refused(self, name, message, key_args, trust, why):
        result = self.run(message, key_args, trust, mark=True)
        ok = result.returncode == 65 and b"the message cannot be decrypted" in result.stderr
        self.expect("%s (refused cleanly: %s)" % (name, why), ok,
                    "exit %d: %s" % (result.returncode, result.stderr.decode("utf-8", "replace")[-300:]))

    # -- the sources ---------------------------------------------------------------------
    def thunderbird(self, rows):
        passphrase = os.path.join(self.work, "nss.pass")
        with open(passphrase, "w") as f:
            f.write("nss\n")
        os.chmod(passphrase, 0o600)
        for row in rows:
            relative = row["file"]
            if not relative.startswith(TB) or ("Bob.p12" not in row["decrypt_key"] and "Fran" not in row["decrypt_key"]):
                continue
            folder = os.path.dirname(relative)
            owner = "Fran-ec" if "fran-ec" in relative else "Fran" if "fran-" in relative else "Bob"
            store = owner + ".p12"
            if not os.path.exists(self.path(os.path.join(folder, store))):
                folder = TB + "mailnews-test-data-smime"
            key = ["--pkcs12", self.private_copy(self.path(os.path.join(folder, store)), store),
                   "--passphrase-file", passphrase]
            trust = self.path(TB + "mailnews-test-data-smime/TestCA.pem")
            expected = row["expected_verdict"]
            name = os.path.basename(relative)
            if (".env.mixed" in relative or "ATTACK" in expected or "OUT_OF_SCOPE" in expected
                    or "must NOT be decrypted" in expected):
                self.never_opened(name, self.path(relative), key, trust)
                continue
            # Opaque signed content inside stays signed-data once decrypted.
            text = (b"smime-type=signed-data" if "opaque.env" in relative else
                    b"This is a test message from Alice to Bob." if owner == "Bob" else b"encrypted")
            self.opens(name, self.path(relative), key, trust, text, expected.startswith("VALID + DECRYPT_OK"))

    def rfc4134(self):
        key = ["--cert", self.pem_of(self.path("rfc4134/BobRSASignByCarl.cer"), "bob-rfc4134.pem", "x509"),
               "--key", self.pem_of(self.path("rfc4134/BobPrivRSAEncrypt.pri"), "bob-rfc4134.key", "pkey")]
        content = open(self.path("rfc4134/ExContent.bin"), "rb").read().strip()
        self.opens("rfc4134/5.3.eml", self.path("rfc4134/5.3.eml"), key, self.fallback_trust, content, False)
        self.opens("rfc4134/5.1.bin", self.as_message("rfc4134/5.1.bin"), key, self.fallback_trust, content, False)
        self.refused("rfc4134/5.2.bin", self.as_message("rfc4134/5.2.bin"), key, self.fallback_trust,
                     UNSUPPORTED["rfc4134/5.2.bin"])

    def bouncy_castle(self):
        folder = "bouncycastle-bc-java/mail-smime-test/"
        key = ["--cert", self.path(folder + "cert.pem"), "--key", self.private_copy(self.path(folder + "key.pem"), "bc.key")]
        self.opens(folder + "test192.message", self.path(folder + "test192.message"), key, self.fallback_trust,
                   b"Content-Type", False)
        for name in ("test128.message", "test256.message"):
            self.refused(folder + name, self.path(folder + name), key, self.fallback_trust, UNSUPPORTED[folder + name])

    def notmuch(self):
        folder = "notmuch/test/smime/"
        # A PEM-wrapped PKCS#12 under RC2 (OpenSSL 3's legacy provider): the
        # test takes its certificate and key out once.
        wrapped = open(self.path(folder + "bob.p12"), "rb").read()
        der = base64.b64decode(b"".join(line for line in wrapped.splitlines() if not line.startswith(b"-----")))
        store = os.path.join(self.work, "notmuch-bob.p12")
        with open(store, "wb") as f:
            f.write(der)
        pem = os.path.join(self.work, "notmuch-bob.pem")
        subprocess.run(["openssl", "pkcs12", "-legacy", "-in", store, "-passin", "pass:", "-nodes", "-out", pem],
                       check=True, capture_output=True)
        os.chmod(pem, 0o600)
        key = ["--cert", pem, "--key", pem]
        trust = self.path(folder + "ca.crt")
        corpora = "notmuch/test/corpora/protected-headers/"
        for name, released in (("smime-sign+enc.eml", True), ("smime-sign+enc+legacy-disp.eml", True),
                               ("smime-enc+legacy-disp.eml", False)):
            self.opens(corpora + name, self.path(corpora + name), key, trust, b"Content-Type", released)

    def rfc9216(self):
        keys = RFC9216 + "certs-and-keys/"
        bob = ["--cert", self.path(keys + "lamps-bob.encrypt.crt"),
               "--key", self.private_copy(self.path(keys + "lamps-bob.decrypt.p8.pem"), "lamps-bob.key")]
        dana = ["--cert", self.path(keys + "lamps-dana.encrypt.crt"),
                "--key", self.private_copy(self.path(keys + "lamps-dana.decrypt.p8.pem"), "lamps-dana.key")]
        sample = b"This is some sample content."
        for name in ("encryptedForBobRSAOaep.pem", "encryptedForBobAndDana.pem"):
            relative = RFC9216 + "pem-encoded/" + name
            self.opens(relative + " (Bob)", self.as_message(relative), bob, self.fallback_trust, sample, False)
        for name, key in (("authEnvelopedForBobChaCha20Poly1305.pem", bob), ("authEnvelopedForDanaX25519HKDF.pem", dana)):
            relative = RFC9216 + "pem-encoded/" + name
            self.refused(relative, self.as_message(relative), key, self.fallback_trust, UNSUPPORTED[relative])

    def crashers(self):
        for relative, cert, key in CRASHERS:
            cert = self.path(cert) if cert else os.environ["SEGEL_TEST_PKI"] + "/alice-enc.cert.pem"
            key = self.private_copy(self.path(key), "crasher.key") if key else \
                os.environ["SEGEL_TEST_PKI"] + "/alice-enc.key.pem"
            self.refused(relative, self.as_message(relative), ["--cert", cert, "--key", key], self.fallback_trust,
                         "malformed CMS")


def main():
    segel, corpus = sys.argv[1], sys.argv[2]
    checker = Checker(segel, corpus)
    try:
        # A trust file that anchors nothing in the corpus: the demo root.
        shutil.copyfile(os.path.join(os.environ["SEGEL_TEST_PKI"], "root.pem"), checker.fallback_trust)
        with open(os.path.join(corpus, "expected_verdicts.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        checker.thunderbird(rows)
        checker.rfc4134()
        checker.bouncy_castle()
        checker.notmuch()
        checker.rfc9216()
        checker.crashers()
    finally:
        shutil.rmtree(checker.work, ignore_errors=True)
    print("%d checks, %d disagree" % (checker.checked, len(checker.failures)))
    sys.exit(1 if checker.failures or checker.checked < 60 else 0)


if __name__ == "__main__":
    main()
