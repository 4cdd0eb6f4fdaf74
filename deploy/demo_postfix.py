#!/usr/bin/env python3
"""demo_postfix.py BUILD_DIR PKI_DIR [--keep-running]

The quickstart's main job: a private Postfix on loopback ports (own config
and queue directories, Cyrus SASL with a sasldb of demo users) with
segel-milter, a demo directory of the demo PKI's users, one message
submitted with SMTP AUTH as alice, and the delivered message shown and
verified by OpenSSL trusting only the demo root. Everything stops at the
end unless --keep-running. Uses the end-to-end tests' PostfixLab.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from postfix_lab import DEMO_PASSWORD, PostfixLab  # noqa: E402


def main():
    build, pki = sys.argv[1], sys.argv[2]
    keep = "--keep-running" in sys.argv
    lab = PostfixLab(os.path.join(build, "directory", "segel"), os.path.join(build, "milter", "segel-milter"), pki)
    try:
        lab.start()
        print("Postfix submission on 127.0.0.1:%d (AUTH PLAIN, password %s), segel-milter on %s, "
              "delivery to smtp-sink on 127.0.0.1:%d; all under %s"
              % (lab.submission, DEMO_PASSWORD, lab.socket_path, lab.sink_port, lab.root))
        message = (b"From: Alice Rahmawati <alice@tangerangkota.go.id>\r\n"
                   b"To: Warga <warga@example.com>\r\n"
                   b"Subject: Pemberitahuan jadwal pelayanan\r\n"
                   b"Message-ID: <quickstart-postfix@tangerangkota.go.id>\r\n"
                   b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   b"Content-Transfer-Encoding: 8bit\r\n\r\n"
                   b"Pelayanan tatap muka dibuka pukul 08.00-15.00 WIB.\r\n")
        code, transcript = lab.submit("alice@tangerangkota.go.id", message)
        print("\n== swaks (SMTP AUTH as alice), last lines")
        print("\n".join(transcript.strip().splitlines()[-4:]))
        if code != 0:
            raise SystemExit("submission failed")
        delivered = lab.wait_delivered(1)[0]
        path = os.path.join(lab.root, "delivered.eml")
        with open(path, "wb") as f:
            f.write(delivered)
        print("\n== delivered by Postfix (signature shortened)")
        lines, in_signature, shown = [], False, 0
        for line in delivered.decode("utf-8", "replace").splitlines():
            if line.startswith("Content-Type: application/pkcs7-signature"):
                in_signature = True
            if in_signature and line and all(c.isalnum() or c in "+/=" for c in line):
                shown += 1
                if shown > 3:
                    continue
            lines.append(line)
        print("\n".join(lines))
        print("\n== segel-milter log")
        print(lab.milter_output().strip())
        print("\n== verification by OpenSSL, trusting only the demo root")
        result = subprocess.run(["openssl", "cms", "-verify", "-inform", "SMIME", "-in", path, "-CAfile",
                                 os.path.join(pki, "root.pem"), "-no-CApath", "-no-CAstore", "-purpose", "smimesign",
                                 "-out", "/dev/null"], capture_output=True, text=True)
        print((result.stdout + result.stderr).strip())
        if result.returncode != 0:
            raise SystemExit("verification failed")
        if keep:
            print("\nStill running (--keep-running). Stop with: postfix -c %s/etc stop; kill %d %d"
                  % (lab.root, lab.milter.pid, lab.sink.pid))
    finally:
        if not keep:
            lab.stop()


if __name__ == "__main__":
    main()
