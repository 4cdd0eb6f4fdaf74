"""Encryptors and a signer independent of Segel, for the decryption tests.

Each encryptor takes a MIME entity (Content-* fields, blank line, body, CRLF)
and demo PKI user names, and returns the DER ContentInfo of an EnvelopedData
or AuthEnvelopedData made by another implementation: the OpenSSL CLI, gpgsm
(GnuPG's libksba), NSS `cmsutil` (Thunderbird's library) or Bouncy Castle
(tests/tools/BcEncrypt.java). `message` wraps a DER as the
application/pkcs7-mime message a mail client sends.
"""
import base64
import os
import subprocess
import tempfile

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
BC_JARS = ":".join("/usr/share/java/%s.jar" % jar for jar in ("bcprov", "bcpkix", "bcutil"))


def _run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError("%s failed: %s" % (args[0], (result.stdout + result.stderr).decode("utf-8", "replace")))
    return result


def _cert(pki, user):
    return os.path.join(pki, user + ".cert.pem")


def signed_entity(pki, user, content):
    """`content` (a MIME entity) signed by `user` with the OpenSSL CLI: a multipart/signed entity, CRLF."""
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "content")
        with open(path, "wb") as f:
            f.write(content)
        out = _run(["openssl", "cms", "-sign", "-in", path, "-signer", _cert(pki, user), "-inkey",
                    os.path.join(pki, user + ".key.pem"), "-certfile", os.path.join(pki, "issuing.pem"),
                    "-crlfeol"]).stdout
    # Drop the MIME-Version line the CLI writes first: the entity is a body part.
    return b"\r\n".join(line for line in out.split(b"\r\n") if not line.startswith(b"MIME-Version:"))


def openssl(pki, entity, users, gcm=False, oaep=False):
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "entity")
        with open(path, "wb") as f:
            f.write(entity)
        args = ["openssl", "cms", "-encrypt", "-binary", "-outform", "DER", "-in", path,
                "-aes-256-gcm" if gcm else "-aes256"]
        for user in users:
            args += ["-recip", _cert(pki, user)]
            if oaep:
                args += ["-keyopt", "rsa_padding_mode:oaep"]
        return _run(args).stdout


def gpgsm(pki, entity, user):
    """gpgsm 2.2: AES-256-CBC, RSA PKCS#1 v1.5, to `user`'s certificate (its chain trusted)."""
    with tempfile.TemporaryDirectory() as home:
        os.chmod(home, 0o700)
        with open(os.path.join(home, "gpgsm.conf"), "w") as f:
            f.write("disable-crl-checks\ndisable-dirmngr\n")
        env = dict(os.environ, GNUPGHOME=home)
        try:
            _run(["gpgsm", "--batch", "--import", os.path.join(pki, "root.pem"), os.path.join(pki, "issuing.pem"),
                  _cert(pki, user)], env=env)
            fingerprint = _run(["openssl", "x509", "-in", os.path.join(pki, "root.pem"), "-noout", "-fingerprint",
                                "-sha1"]).stdout.decode().split("=", 1)[1].strip()
            with open(os.path.join(home, "trustlist.txt"), "w") as f:
                f.write("%s S\n" % fingerprint)
            path = os.path.join(home, "entity")
            with open(path, "wb") as f:
                f.write(entity)
            email = open(os.path.join(pki, user + ".email")).read().strip()
            _run(["gpgsm", "--batch", "--cipher-algo", "AES256", "--output", path + ".der", "--encrypt", "-r", email,
                  path], env=env)
            return open(path + ".der", "rb").read()
        finally:
            subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True)


def nss(pki, entity, user):
    """NSS cmsutil -E (its own choice of cipher: AES-128-CBC), to `user`'s certificate."""
    with tempfile.TemporaryDirectory() as work:
        db = "sql:" + work
        _run(["certutil", "-N", "-d", db, "--empty-password"])
        _run(["certutil", "-A", "-d", db, "-n", "root", "-t", "C,C,C", "-i", os.path.join(pki, "root.pem")])
        _run(["certutil", "-A", "-d", db, "-n", "issuing", "-t", ",,", "-i", os.path.join(pki, "issuing.pem")])
        _run(["certutil", "-A", "-d", db, "-n", user, "-t", ",,", "-i", _cert(pki, user)])
        path = os.path.join(work, "entity")
        with open(path, "wb") as f:
            f.write(entity)
        email = open(os.path.join(pki, user + ".email")).read().strip()
        _run(["cmsutil", "-E", "-r", email, "-i", path, "-o", path + ".der", "-d", db])
        return open(path + ".der", "rb").read()


def bouncy_castle(pki, entity, users, gcm=False, oaep=False):
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "entity")
        with open(path, "wb") as f:
            f.write(entity)
        _run(["java", "-cp", BC_JARS, os.path.join(TOOLS, "BcEncrypt.java"), path, path + ".der",
              "gcm" if gcm else "cbc", "oaep" if oaep else "pkcs1"] + [_cert(pki, user) for user in users])
        return open(path + ".der", "rb").read()


def message(outer_fields, der, authenticated=False):
    """A whole message: `outer_fields` (From, To, Subject ..., CRLF) and the DER as application/pkcs7-mime."""
    kind = "authEnveloped-data" if authenticated else "enveloped-data"
    body = base64.encodebytes(der).replace(b"\n", b"\r\n")
    return (outer_fields + b"MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=" +
            kind.encode() + b"; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n" + body)
