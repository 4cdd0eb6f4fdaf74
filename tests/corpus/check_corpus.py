#!/usr/bin/env python3
"""check_corpus.py SEGEL CORPUS_DIR UNRELATED_ROOT_PEM

Runs `segel msg verify` over every S/MIME message (.eml) in ../shared/corpus
(made by Thunderbird/NSS, Bouncy Castle, OpenSSL, RFC 4134, notmuch) and
compares each result with the verdict the source's own tests assert
(expected_verdicts.csv), mapped to RFC 7281 results:

    VALID ...                                   -> pass
    BAD_SIGNATURE ... (content, digest, outer)  -> fail
    REVOKED (with the row's CRL)                -> fail
    POLICY_REJECT_SHA1, POLICY_KEYUSAGE,
    POLICY_NO_EMAIL, UNTRUSTED, EXPIRED,
    NOT_YET_VALID, PARTIALLY_SIGNED             -> policy
    BAD (nested signatures: the inner layer's
    signer is not the From)                     -> policy
    MALFORMED                                   -> neutral (RFC 7281: "syntax errors")
    UNSIGNED                                    -> none
    encrypted at the top (DECRYPT_OK, VALID +
    DECRYPT_OK, ENVELOPED ...)                  -> none: the gateway holds no
                                                   recipient's key; the client checks
                                                   what is inside
    a signature around encryption               -> policy when it verifies (the signer
                                                   vouches only for ciphertext), fail
                                                   when it does not; Thunderbird
                                                   ignores it (its bug 1806161)

A row's trust anchor is the only one trusted; a row without one is verified
trusting only UNRELATED_ROOT_PEM, so nothing in it can be trusted. A row
whose validation time is a past moment is verified `--at` that moment (Bouncy
Castle's validator set: its signingTime, 2006), with the row's CRL where it
names one. Some rows also assert a signer's details (chain error, emails).
Deliberate disagreements, each with its reason, are in DELIBERATE; rows that
are out of scope say why. Exit 1 if a checked row disagrees.
"""
import csv
import email
import json
import os
import subprocess
import sys

ENVELOPED_OIDS = (bytes.fromhex("06092a864886f70d010703"),      # id-envelopedData
                  bytes.fromhex("060b2a864886f70d0109100117"))  # id-ct-authEnvelopedData

BC = "bouncycastle-bc-java/mail-smime-test/"
TB = "thunderbird-comm-central/mailnews-test-data-smime/"

# Bouncy Castle's SignedMailValidator set validates at each message's
# signingTime (read off the messages). Every one is SHA-1, so even the valid
# ones are policy for us (SM-11); the signer's details carry the assertion.
BC_VALIDATOR = {
    "validator.validMail.eml": ("2006-09-04T09:36:14Z", None, "policy", {"chain_valid": True, "weak": True}),
    "validator.expired.eml": ("2006-09-01T09:08:35Z", None, "policy", {"chain_error": "certificate has expired"}),
    "validator.notYetValid.eml": ("2006-08-28T15:04:01Z", None, "policy",
                                  {"chain_error": "certificate is not yet valid"}),
    "validator.revoked.eml": ("2006-09-01T10:49:05Z", "validator.revoked.crl", "fail",
                              {"chain_valid": True, "revocation": "key compromise"}),
    "validator.keyUsage.eml": ("2006-08-28T12:52:38Z", None, "policy",
                               {"chain_error": "unsuitable certificate purpose"}),
    "validator.extKeyUsage.eml": ("2006-08-28T15:01:37Z", None, "policy",
                                  {"chain_error": "unsuitable certificate purpose"}),
    "validator.noEmail.eml": ("2006-08-28T15:02:56Z", None, "policy", {"chain_valid": True, "emails": []}),
    "validator.shortKey.eml": ("2006-08-28T15:05:26Z", None, "policy", {"chain_valid": True, "weak": True}),
    "validator.longValidity.eml": ("2006-09-01T12:01:23Z", None, "policy", {"chain_valid": True}),
    "circular.eml": ("2007-04-03T06:56:26Z", None, "policy", {"chain_valid": False}),
}

# Rows where Segel's verdict differs from the source's on purpose.
DELIBERATE = {
    # RFC 4134's examples are DSA with SHA-1, and their From (aliceDss@examples.com)
    # is not the certificate's address (AliceDSS@example.com).
    "rfc4134/4.8.eml": ("policy", "SHA-1 signature (SM-11); From is not the signer's address (CH-04)"),
    "rfc4134/4.9.eml": ("policy", "SHA-1 signature (SM-11); From is not the signer's address (CH-04)"),
    # The Date field is outside the signature and set by the sender's client; a
    # Date six hours after signingTime says nothing about who signed.
    TB + "alice.future.dsig.SHA256.multipart.eml": ("pass", "Date vs signingTime is not a verdict (CH-10 checks "
                                                    "signingTime against our clock and the certificate)"),
    # Bouncy Castle checks the cryptography only; with no anchor, the chain is untrusted for us.
    BC + "extra-nl.eml": ("policy", "crypto valid, no trust anchor given"),
    BC + "multi-alternative.eml": ("policy", "crypto valid, no trust anchor given"),
    BC + "openssl-signed-sha256-non-default-salt-length.eml": ("policy", "crypto valid (RSA-PSS), no trust anchor given"),
    BC + "qp-soft-break.eml": ("policy", "crypto valid, no trust anchor given"),
}
# Thunderbird checks only the outer layer of two opaque signatures; Segel
# verifies every layer, and the inner one is Alice's while From is Dave.
for digest in ("SHA256", "SHA384", "SHA512"):
    for inner in ("plain", "env"):
        DELIBERATE[TB + "alice.%s.sig.%s.opaque.dave.sig.%s.opaque.eml" % (inner, digest, digest)] = (
            "policy", "inner layer signed by someone other than the From (SM-16, SEC-02)")
# Signer details the sources assert beyond the verdict.
SIGNER_CHECKS = {
    # RFC 5280 §6.1: a policy mapping from anyPolicy breaks the path (our From check would also say policy).
    "openssl/test/smime-eml/SignedInvalidMappingFromanyPolicyTest7.eml": {"chain_valid": False},
    BC + "extra-nl.eml": {"digest_matches": True, "signature_valid": True},
    BC + "multi-alternative.eml": {"digest_matches": True, "signature_valid": True},
    BC + "openssl-signed-sha256-non-default-salt-length.eml": {"digest_matches": True, "signature_valid": True},
    BC + "qp-soft-break.eml": {"digest_matches": True, "signature_valid": True},
}

OUT_OF_SCOPE = ("OUT_OF_SCOPE", "DISPUTED", "ATTACK:decryption-oracle")


def find_anchor(corpus, source_file, name):
    """The row's trust anchor: a path under the source folder, or a file
    name found in it (a PEM export in derived-pem/ preferred)."""
    root = os.path.join(corpus, source_file.split("/")[0])
    if os.path.isfile(os.path.join(root, name)):
        return os.path.join(root, name)
    base = os.path.basename(name)
    found = None
    for folder, _, files in os.walk(root):
        for candidate in (base + ".pem", base):
            if candidate in files and (found is None or candidate.endswith(".pem")):
                found = os.path.join(folder, candidate)
    return found


def top_is_encrypted(path):
    """Independent of Segel: the outermost entity is CMS enveloped data."""
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f)
    if message.get_content_type() not in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        return False
    der = message.get_payload(decode=True) or b""
    return any(oid in der[:40] for oid in ENVELOPED_OIDS)


def thunderbird_layers(row):
    """Thunderbird's observed layers, outermost first: ["SIG[crypto=ok ...]", "ENV[ok]", ...]."""
    observed = row["openssl_observed"]
    if not observed.startswith("thunderbird: "):
        return []
    return [layer.strip() for layer in observed[len("thunderbird: "):].split(">")]


def expectation(row, corpus):
    """(verdict, note, extra arguments, signer checks) or (None, reason skipped, ...)."""
    path = os.path.join(corpus, row["file"])
    verdict = row["expected_verdict"]
    name = os.path.basename(row["file"])
    if not row["file"].endswith(".eml"):
        return None, "not a message (raw CMS or certificate; the gateway verifies messages)", [], {}
    if verdict.startswith(OUT_OF_SCOPE):
        return None, "out of scope for the gateway: " + verdict.split(" ")[0], [], {}
    if row["file"].startswith(BC) and name in BC_VALIDATOR:
        at, crl, want, checks = BC_VALIDATOR[name]
        extra = ["--at", at] + (["--crl", os.path.join(corpus, BC, crl)] if crl else [])
        return want, "validated at its signingTime", extra, checks
    checks = SIGNER_CHECKS.get(row["file"], {})
    if row["file"] in DELIBERATE:
        want, note = DELIBERATE[row["file"]]
        return want, "deliberate: " + note, [], checks
    if top_is_encrypted(path):
        return "none", "encrypted: no recipient key at the gateway", [], {}
    layers = thunderbird_layers(row)
    if len(layers) >= 2 and layers[0].startswith("SIG[") and layers[1].startswith("ENV["):
        bad = "crypto=bad-signature" in layers[0]
        return ("fail" if bad else "policy"), "a signature around encryption, reported (Thunderbird ignores it)", [], {}
    if verdict.startswith("VALID"):
        return "pass", "", [], {}
    if verdict.startswith(("BAD_SIGNATURE", "REVOKED")):
        return "fail", "", [], {}
    if verdict.startswith("BAD (nested signatures"):
        return "policy", "both layers verify; the inner signer is not the From", [], {}
    if verdict.startswith(("POLICY_", "UNTRUSTED", "EXPIRED", "NOT_YET_VALID", "PARTIALLY_SIGNED")):
        return "policy", "", [], checks
    if verdict.startswith("MALFORMED"):
        return "neutral", "", [], {}
    if verdict.startswith("UNSIGNED"):
        return "none", "", [], {}
    return None, "verdict class without a mapping: " + verdict, [], {}


def signer_disagreement(report, checks):
    if not checks:
        return ""
    if not report.get("signers"):
        return "no signer reported"
    signer = report["signers"][0]
    for key, want in checks.items():
        got = signer.get(key)
        if key == "revocation" and isinstance(got, str) and want in got:
            continue
        if got != want:
            return "signer %s: want %r, got %r" % (key, want, got)
    return ""


def main():
    segel, corpus, unrelated_root = sys.argv[1], sys.argv[2], sys.argv[3]
    checked = disagreements = skipped = 0
    with open(os.path.join(corpus, "expected_verdicts.csv"), newline="") as f:
        for row in csv.DictReader(f):
            want, note, extra, checks = expectation(row, corpus)
            if want is None:
                skipped += 1
                print("skip  %-70s %s" % (row["file"][-70:], note))
                continue
            anchor = None
            if row["trust_anchor"]:
                anchor = find_anchor(corpus, row["file"], row["trust_anchor"].split()[0])
            result = subprocess.run([segel, "msg", "verify", "--json", "--trust", anchor or unrelated_root] + extra +
                                    [os.path.join(corpus, row["file"])], capture_output=True, text=True)
            report = json.loads(result.stdout) if result.returncode == 0 else {"verdict": "error",
                                                                                "reason": result.stderr.strip()}
            checked += 1
            problem = "" if report["verdict"] == want else report.get("reason", "")
            problem = problem or signer_disagreement(report, checks)
            disagreements += 1 if problem else 0
            print("%s  %-70s want %-9s got %-9s %s" % ("DIFF" if problem else "ok  ", row["file"][-70:], want,
                                                       report["verdict"], problem or note))
    print("\n%d agree, %d disagree, %d not checked (reasons above)" % (checked - disagreements, disagreements, skipped))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
