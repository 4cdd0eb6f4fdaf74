#!/usr/bin/env python3
"""check_corpus.py SEGEL CORPUS_DIR

Runs `segel msg verify` over the S/MIME messages in ../shared/corpus (made by
Thunderbird/NSS, Bouncy Castle, OpenSSL, RFC 4134, notmuch) and compares
each result with the verdict the source's own tests assert
(expected_verdicts.csv), mapped to RFC 7281 results:

    VALID ...                          -> pass
    BAD_SIGNATURE (signed text altered) -> fail
    BAD_SIGNATURE (detached ... different eContent) -> fail   (SEC-03 c1)
    POLICY_REJECT_SHA1 ...              -> policy             (SM-11)
    UNTRUSTED ...                       -> policy             (RFC 7281: untrusted issuer)
    PARTIALLY_SIGNED ...                -> policy             (SEC-02)

Deliberate disagreements, each with its reason, are in DELIBERATE below.

Only signed, unencrypted .eml rows with a trust anchor and no fixed past
validation time are checked so far; every other row is listed as skipped
with the reason (decryption, revocation, validation at a past time, nested
layers and the other rules arrive with the rest of inbound verification).
Exit 1 if a checked row disagrees.
"""
import csv
import json
import os
import subprocess
import sys


def expected_result(verdict):
    if verdict.startswith("VALID") and "DECRYPT" not in verdict:
        return "pass"
    if verdict.startswith("BAD_SIGNATURE (signed text altered)"):
        return "fail"
    if verdict.startswith("BAD_SIGNATURE (detached multipart/signed whose CMS also carries a different eContent)"):
        return "fail"
    if verdict.startswith("POLICY_REJECT_SHA1") and "DECRYPT" not in verdict:
        return "policy"
    if verdict.startswith("UNTRUSTED") or verdict.startswith("PARTIALLY_SIGNED"):
        return "policy"
    return None


# Rows where Segel's verdict differs from the source's on purpose.
DELIBERATE = {
    # RFC 4134's examples are DSA with SHA-1: valid cryptography, but SHA-1
    # signatures on new mail are policy for us (RFC 8551 §6, SM-11, SEC-08).
    "rfc4134/4.8.eml": ("policy", "SHA-1 signature: policy for new mail (SM-11)"),
    "rfc4134/4.9.eml": ("policy", "SHA-1 signature: policy for new mail (SM-11)"),
}
# Thunderbird checks only the outer layer of two opaque signatures; Segel
# verifies every layer, and the inner one is Alice's while From is Dave.
for digest in ("SHA256", "SHA384", "SHA512"):
    DELIBERATE["thunderbird-comm-central/mailnews-test-data-smime/alice.plain.sig.%s.opaque.dave.sig.%s.opaque.eml"
               % (digest, digest)] = ("policy", "inner layer signed by someone other than the From (SM-16, SEC-02)")


def find_anchor(corpus, source_file, name):
    root = os.path.join(corpus, source_file.split("/")[0])
    for folder, _, files in os.walk(root):
        if name in files:
            return os.path.join(folder, name)
    return None


def main():
    segel, corpus = sys.argv[1], sys.argv[2]
    checked = disagreements = skipped = 0
    with open(os.path.join(corpus, "expected_verdicts.csv"), newline="") as f:
        for row in csv.DictReader(f):
            path = os.path.join(corpus, row["file"])
            want = expected_result(row["expected_verdict"])
            why_skipped = None
            if not row["file"].endswith(".eml"):
                why_skipped = "not a message"
            elif row["decrypt_key"]:
                why_skipped = "needs decryption"
            elif want is None:
                why_skipped = "verdict class not checked yet"
            elif not row["trust_anchor"]:
                why_skipped = "no trust anchor given"
            elif row["validation_time"] and not row["validation_time"].startswith("any time"):
                why_skipped = "validation at a past time"
            anchor = None if why_skipped else find_anchor(corpus, row["file"], row["trust_anchor"].split()[0])
            if not why_skipped and anchor is None:
                why_skipped = "trust anchor file not found"
            if why_skipped:
                skipped += 1
                print("skip  %-70s %s" % (row["file"][-70:], why_skipped))
                continue
            note = ""
            if row["file"] in DELIBERATE:
                want, note = DELIBERATE[row["file"]]
            result = subprocess.run([segel, "msg", "verify", "--json", "--trust", anchor, path],
                                    capture_output=True, text=True)
            got = json.loads(result.stdout)["verdict"] if result.returncode == 0 else "error"
            checked += 1
            ok = got == want
            disagreements += 0 if ok else 1
            print("%s  %-70s want %-7s got %-7s %s" % ("ok  " if ok else "DIFF", row["file"][-70:], want, got,
                                                       note if ok else json.loads(result.stdout or "{}").get("reason", result.stderr)))
    print("\n%d passed, %d failed" % (checked - disagreements, disagreements))
    print("(%d rows not checked yet)" % skipped)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
