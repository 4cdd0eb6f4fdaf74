#!/usr/bin/env python3
"""check_unsigned.py SEGEL VERIFY_TOOL UNSIGNED_DIR PKI_DIR

Signs every real client message in ../shared/corpus/unsigned (as listed in
its expected.csv, every row expecting "signed") as alice with `segel msg
sign`, then checks each result (issue 9 items 1 and 2):
  - it was signed, never refused;
  - OpenSSL, gpgsm and NSS cmsutil accept the signature, trusting only the
    demo root (VERIFY_TOOL, segel-test-verify);
  - the reader sees what the original showed: MIME tree, types, charsets,
    file names, dispositions and decoded bytes (tests/tools/mail_shape.py).
Prints one line per message that fails and a count; exit 1 if any failed.
"""
import csv
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import mail_shape  # noqa: E402


def sign(segel, pki, path, out):
    return subprocess.run([segel, "msg", "sign", "--pkcs12", os.path.join(pki, "alice.p12"),
                           "--passphrase-file", os.path.join(pki, "p12-passphrase"), "--out", out, path],
                          capture_output=True, text=True)


def check(segel, verify_tool, pki, path, work):
    """What is wrong with signing this message; an empty list if nothing."""
    out = os.path.join(work, "signed.eml")
    signed = sign(segel, pki, path, out)
    if signed.returncode != 0:
        return ["refused: " + signed.stderr.strip()]
    verified = subprocess.run([verify_tool, out, "alice"], capture_output=True, text=True,
                              env=dict(os.environ, SEGEL_TEST_PKI=pki))
    problems = [] if verified.returncode == 0 else ["verifiers: " + " / ".join(verified.stdout.split("\n"))]
    with open(path, "rb") as original, open(out, "rb") as result:
        problems += mail_shape.differences(original.read(), result.read())
    return problems


def main():
    segel, verify_tool, corpus, pki = sys.argv[1:5]
    with open(os.path.join(corpus, "expected.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    failed = 0
    with tempfile.TemporaryDirectory(prefix="segel-unsigned-") as work:
        for row in rows:
            if row["expected"] != "signed":
                continue
            problems = check(segel, verify_tool, pki, os.path.join(corpus, row["file"]), work)
            if problems:
                failed += 1
                print("%s (%s):\n  %s" % (row["file"], row["client"], "\n  ".join(problems)))
    print("%d client messages: %d signed, read the same and verify everywhere; %d do not"
          % (len(rows), len(rows) - failed, failed))
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
