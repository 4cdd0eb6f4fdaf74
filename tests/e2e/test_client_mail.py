#!/usr/bin/env python3
"""End-to-end: real client mail (../shared/corpus/unsigned) signed by
segel-milter through a real Postfix (issue 9).

Every message is submitted with SMTP AUTH as alice; each one Postfix delivers
must be signed, accepted by OpenSSL, gpgsm and NSS (segel-test-verify), and
show the reader what was submitted (tests/tools/mail_shape.py). Nothing may be
refused. Run: test_client_mail.py BUILD_DIR CORPUS_DIR
Needs root (Postfix's master); exits 77 (skipped) otherwise.
"""
import csv
import os
import re
import smtplib
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import mail_shape  # noqa: E402
import test_outbound  # noqa: E402
from postfix_lab import DEMO_PASSWORD  # noqa: E402
from test_outbound import ALICE, OutboundTest  # noqa: E402

CORPUS = None
MARK = b"X-Segel-Corpus-File"


def as_submitted(data, name):
    """The message as SMTP carries it: a field naming the file in front (outside
    what is signed) and a final line break (DATA ends with CRLF . CRLF)."""
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return MARK + b": " + name.encode() + b"\r\n" + data


def submit(port, message):
    """Submits with AUTH as alice through Python's smtplib, which sends the
    bytes as they are (dot-stuffed, a line break added only where missing);
    returns the refusal, or None."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.login(ALICE, DEMO_PASSWORD)
            client.sendmail(ALICE, ["warga@example.com"], message)
        return None
    except smtplib.SMTPException as error:
        return str(error)


class TestClientMail(OutboundTest):
    def test_every_client_message_is_signed_verifies_everywhere_and_reads_the_same(self):
        with open(os.path.join(CORPUS, "expected.csv"), newline="") as f:
            names = [row["file"] for row in csv.DictReader(f) if row["expected"] == "signed"]
        submitted = {}
        refused = []
        for name in names:
            with open(os.path.join(CORPUS, name), "rb") as f:
                submitted[name] = as_submitted(f.read(), name)
            refusal = submit(self.lab.submission, submitted[name])
            if refusal:
                refused.append("%s: %s" % (name, refusal))
        self.assertEqual(refused, [], "refused instead of signed")
        delivered = {}
        for message in self.lab.wait_delivered(len(names), seconds=120):
            message = re.sub(rb"(?<!\r)\n", b"\r\n", message)  # smtp-sink stores lines with LF
            name = message.split(MARK + b": ", 1)[1].split(b"\r\n", 1)[0].split(b"\n", 1)[0].decode()
            delivered[name] = message
        self.assertEqual(sorted(delivered), sorted(names))
        problems = []
        verify_tool = os.path.join(test_outbound.BUILD, "tests", "segel-test-verify")
        for name in names:
            path = os.path.join(self.lab.root, "check.eml")
            with open(path, "wb") as f:
                f.write(delivered[name])
            verified = subprocess.run([verify_tool, path, "alice"], capture_output=True, text=True)
            if verified.returncode != 0:
                problems.append("%s: verifiers: %s" % (name, verified.stdout.replace("\n", " / ")))
            try:
                found = mail_shape.differences(submitted[name], delivered[name])
            except ValueError as error:
                found = [str(error)]
            problems += ["%s: %s" % (name, difference) for difference in found]
        self.assertEqual(problems, [])


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("end-to-end tests start Postfix and need root: skipped")
        sys.exit(77)
    test_outbound.BUILD = sys.argv.pop(1)
    CORPUS = sys.argv.pop(1)
    unittest.main()
