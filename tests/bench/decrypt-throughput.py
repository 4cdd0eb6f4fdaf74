#!/usr/bin/env python3
"""decrypt-throughput.py BUILD_DIR PKI_DIR [--quick]

Benchmark, not a test (run as root: it starts private Postfix instances).
The inbound side with decryption (issue 13): messages per second from
arrival (no AUTH, as on port 25) to delivery for 1 KB, 100 KB and 2 MB
messages, 20 concurrent sessions, to alice@tangerangkota.go.id: with no
milter, with segel-milter verifying a signed message, and with
segel-milter decrypting a signed-then-encrypted one (the OpenSSL CLI's
AES-256-CBC, RSA-2048 PKCS#1 v1.5, to alice's encryption certificate) and
verifying the signature inside, in one run on the same machine. A
delivered sample of each segel run must say smime=pass (and, decrypting,
"decrypted by the gateway"), or the run is flagged. Prints a table.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import encryptors  # noqa: E402
from postfix_lab import PostfixLab  # noqa: E402
from bench_support import (ALICE, CONCURRENCY, arguments, main_as_root, make_message,  # noqa: E402
                           print_table, run_load)

COLUMNS = ("no milter", "segel verify", "segel decrypt+verify")
USERS = ("alice", "bambang", "eko", "alice-enc")


def content_entity(message):
    """The Content-* fields and the body of a whole message (CRLF): what a client encrypts."""
    head, body = message.split(b"\r\n\r\n", 1)
    kept, keep = [], False
    for line in head.split(b"\r\n"):
        if not line.startswith((b" ", b"\t")):
            keep = line.lower().startswith(b"content-")
        if keep:
            kept.append(line)
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def samples(segel, pki, sizes):
    """{size name: (signed message, signed-then-encrypted message)} to alice."""
    made = {}
    for name, size, _ in sizes:
        signed = subprocess.run([segel, "msg", "sign", "--pkcs12", os.path.join(pki, "alice.p12"), "--passphrase-file",
                                 os.path.join(pki, "p12-passphrase")], input=make_message(size).replace(
                                     b"To: warga@example.com", b"To: " + ALICE.encode()),
                                capture_output=True, check=True).stdout
        der = encryptors.openssl(pki, content_entity(signed), ["alice-enc"])
        outer = ("From: Alice Rahmawati <%s>\r\nTo: %s\r\nSubject: Uji beban\r\n" % (ALICE, ALICE)).encode()
        made[name] = (signed, encryptors.message(outer, der))
    return made


def main():
    segel, milter, pki, sizes = arguments()
    made = samples(segel, pki, sizes)
    config = ("[milter]\nmax_message_bytes = 60000000\n[verify]\nenabled = on\nanchors = %s/root.pem\n"
              "[decryption]\nenabled = on\n" % pki)
    results, notes = {}, []
    for label in COLUMNS:
        lab = PostfixLab(segel, milter, pki, users=USERS, smtpd_milters="" if label == "no milter" else None,
                         milter_config=config)
        try:
            lab.start()
            for i, (name, _, count) in enumerate(sizes):
                message = made[name][1] if label == "segel decrypt+verify" else made[name][0]
                results[(label, name)] = run_load(lab.submission, message, count, login=False, recipient=ALICE,
                                                  delivered=lambda: len(os.listdir(lab.sink_dir)))
                if i == 0 and label != "no milter":
                    sample = lab.wait_delivered(1)[0]
                    wanted = [b"smime=pass"] + ([b"decrypted by the gateway"] if "decrypt" in label else [])
                    if not all(marker in sample.replace(b"\r\n\t", b" ").replace(b"\n\t", b" ") for marker in wanted):
                        notes.append("%s: the sample message was NOT %s" % (label, "decrypted and verified"
                                                                            if "decrypt" in label else "verified"))
        finally:
            lab.stop()
    print_table("messages per second from arrival to delivery, %d concurrent sessions without AUTH (inbound)"
                % CONCURRENCY, COLUMNS, sizes, results, notes, columns=COLUMNS)


if __name__ == "__main__":
    main_as_root(main)
