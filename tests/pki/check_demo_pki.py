#!/usr/bin/env python3
"""check_demo_pki.py PKI_DIR

Checks, with Python's cryptography package (independent of OpenSSL's CLI that
made them), that the demo PKI has the shape of BSrE's (STANDARDS ID-01): a
self-signed root, an issuing CA signed by it with SHA-384, and user
certificates valid exactly two years, RSA-2048/SHA-256 (ECDSA P-256 for dewi),
email in subjectAltName, the key usages each variant promises, PKCS#12 files
that open with the passphrase. Prints each problem; exit 1 if any.
"""
import datetime
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


def load(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def cn(cert):
    return cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value


def ext(cert, kind):
    try:
        return cert.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def main():
    pki = pathlib.Path(sys.argv[1])
    root = load(pki / "root.pem")
    issuing = load(pki / "issuing.pem")
    passphrase = (pki / "p12-passphrase").read_text().splitlines()[0].encode()

    check(cn(root) == "Demo Root CA Indonesia DS G1", "root CN is %r" % cn(root))
    check(root.issuer == root.subject, "root is not self-issued")
    check(cn(issuing) == "Demo BSrE CA DS G1", "issuing CA CN is %r" % cn(issuing))
    check(issuing.issuer == root.subject, "issuing CA is not issued by the root")
    check(isinstance(issuing.signature_hash_algorithm, hashes.SHA384), "issuing CA is not signed with SHA-384")
    # Raises InvalidSignature if the root did not sign the issuing CA.
    root.public_key().verify(issuing.signature, issuing.tbs_certificate_bytes, padding.PKCS1v15(),
                             issuing.signature_hash_algorithm)
    check(ext(issuing, x509.BasicConstraints).value.ca, "issuing CA lacks CA:TRUE")

    expectations = {
        "alice": dict(eku=None, key_enc=False),
        "bambang": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=False),
        "citra": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=True),
        "dewi": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=False, ec=True),
        "eko": dict(eku=None, key_enc=False, expired=True),
        "fajar": dict(eku=None, key_enc=False, future=True),
        "gita": dict(eku=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH], key_enc=False),
        "hadi": dict(eku=None, key_enc=True, no_signing=True),
        "intan": dict(eku=None, key_enc=False, critical_policies=True),
        "joko": dict(eku=[ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE], key_enc=False),
        "alice-old": dict(eku=None, key_enc=False, email="alice@tangerangkota.go.id"),
        "luar": dict(eku=None, key_enc=False, email="luar@example.com"),
        "alice-enc": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=True, no_signing=True,
                          email="alice@tangerangkota.go.id"),
        "bambang-enc": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=False, key_agree=True, ec=True,
                            no_signing=True, email="bambang@tangerangkota.go.id"),
        "mitra": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=True, email="mitra@mitra.example"),
        "rekan": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=False, key_agree=True, ec=True,
                      signing_only=True, email="rekan@example.org"),
        "mitra-old": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=True, expired=True,
                          email="mitra@mitra.example"),
        "mitra-renewed": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=True, email="mitra@mitra.example"),
        "sahabat": dict(eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION], key_enc=True, email="sahabat@example.net",
                        capabilities=True),
    }
    now = datetime.datetime.utcnow()
    for user, want in expectations.items():
        cert = load(pki / (user + ".cert.pem"))
        where = user + ": "
        check(cert.issuer == issuing.subject, where + "not issued by the issuing CA")
        check(isinstance(cert.signature_hash_algorithm, hashes.SHA256), where + "not signed with SHA-256")
        key = cert.public_key()
        if want.get("ec"):
            check(isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1", where + "not P-256")
        else:
            check(isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048, where + "not RSA-2048")
        start, end = cert.not_valid_before, cert.not_valid_after
        two_years = start.replace(year=start.year + 2)
        check(end == two_years, where + "valid %s to %s, not exactly two years" % (start, end))
        if want.get("expired"):
            check(end < now, where + "should have expired")
        elif want.get("future"):
            check(start > now, where + "should not be valid yet")
        else:
            check(start <= now < end, where + "should be valid now")
        san = ext(cert, x509.SubjectAlternativeName)
        emails = san.value.get_values_for_type(x509.RFC822Name) if san else []
        check(emails == [want.get("email", user + "@tangerangkota.go.id")], where + "SAN emails are %r" % emails)
        ku = ext(cert, x509.KeyUsage).value
        if want.get("no_signing"):
            check(not ku.digital_signature and not ku.content_commitment, where + "must not allow signing")
        elif want.get("signing_only"):
            check(ku.digital_signature and not ku.content_commitment, where + "KU should be digitalSignature only")
        else:
            check(ku.digital_signature and ku.content_commitment, where + "lacks digitalSignature+nonRepudiation")
        check(ku.key_encipherment == want["key_enc"], where + "keyEncipherment is %s" % ku.key_encipherment)
        check(ku.key_agreement == bool(want.get("key_agree")), where + "keyAgreement is %s" % ku.key_agreement)
        eku = ext(cert, x509.ExtendedKeyUsage)
        check((list(eku.value) if eku else None) == want["eku"], where + "EKU is %r" % (eku and list(eku.value)))
        policies = ext(cert, x509.CertificatePolicies)
        check(bool(policies and policies.critical) == bool(want.get("critical_policies")),
              where + "certificatePolicies criticality is wrong")
        caps = [e for e in cert.extensions if e.oid.dotted_string == "1.2.840.113549.1.9.15"]
        check(bool(caps) == bool(want.get("capabilities")), where + "SMIMECapabilities extension presence is wrong")
        key, p12_cert, chain = pkcs12.load_key_and_certificates((pki / (user + ".p12")).read_bytes(), passphrase)
        check(p12_cert == cert, where + "PKCS#12 holds another certificate")
        check(key is not None, where + "PKCS#12 holds no key")
        check([c.subject for c in chain] == [issuing.subject], where + "PKCS#12 chain is not the issuing CA")

    asing = load(pki / "asing.cert.pem")
    check(asing.issuer == asing.subject and asing.issuer != root.subject, "asing: not self-signed outside the PKI")

    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
