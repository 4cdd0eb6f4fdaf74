#!/usr/bin/env python3
"""check_generated_shapes.py SEGEL VERIFY_TOOL PKI_DIR [COUNT] [FIRST_SEED]

Generates COUNT messages (default 80) from fixed seeds, each a random tree of
what real clients write: multiparts nested up to three deep, preambles and
epilogues (blank, text, 8-bit), forwarded messages, text parts with trailing
white space, "-- " separators, "From " lines, lines over 998 octets, bare
CR, 8-bit and UTF-8 text under every transfer encoding label, base64 and
quoted-printable parts, attachments with raw 8-bit or encoded file names,
LF or CRLF line ends, and no final line break. Each is signed as alice with
`segel msg sign` and must be signed (never refused), verify with OpenSSL,
gpgsm and NSS (VERIFY_TOOL, segel-test-verify) and read the same
(tests/tools/mail_shape.py). A failing seed is printed with the message, so
it can be made again. Exit 1 if any fails.
"""
import base64
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import mail_shape  # noqa: E402

TEXT_LINES = {
    "plain": b"Selamat pagi, rapat dimulai pukul 09.00",
    "trailing": b"hello   ",
    "from": b"From the desk of the secretary",
    "long": b"x" * 1500,
    "utf8": "Caf\u00e9 \u4e2d\u6587 \U0001F600".encode(),
    "latin1": b"caf\xe9",
    "dot": b".",
    "empty": b"",
    "bare_cr": b"a\rb",
    "tab": b"tab\t",
    "separator": b"-- ",
}
FILE_NAMES = [b"laporan.pdf", b"lapor\xc3\xa1n.pdf", b"ci\xeble.pdf", b"=?utf-8?q?caf=C3=A9?=.pdf",
              b"\"quoted name.pdf\""]
PREAMBLES = [b"", b"\n", b"This is a multi-part message in MIME format.\n",
             b"This is a multi-part message in MIME format.\n\n", b"Ceci est un message \xe9t\xe9.\n\n", b"  \n"]
EPILOGUES = [b"", b"\n", b"\n\n", b"epilogue\n", b"\xe9pilogue\n"]


class Generator:
    def __init__(self, seed):
        self.random = random.Random(seed)

    def text(self):
        names = [self.random.choice(list(TEXT_LINES)) for _ in range(self.random.randint(0, 6))]
        return b"".join(TEXT_LINES[name] + b"\n" for name in names)

    def text_part(self):
        subtype = self.random.choice([b"plain", b"html"])
        charset = self.random.choice([b"", b"; charset=utf-8", b"; charset=us-ascii", b"; charset=\"iso-8859-1\""])
        head = b"Content-Type: text/" + subtype + charset + b"\n"
        label = self.random.choice([None, b"7bit", b"8bit", b"binary"])
        if label:
            head += b"Content-Transfer-Encoding: " + label + b"\n"
        return head, self.text()

    def encoded_part(self):
        if self.random.random() < 0.5:
            return (b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
                    b"caf=C3=A9 soft=\nbreak  \n=46rom x\n")
        data = bytes(self.random.randrange(256) for _ in range(self.random.randint(0, 3000)))
        name = self.random.choice(FILE_NAMES)
        quoted = name if name.startswith(b"\"") else b"\"" + name + b"\""
        return (b"Content-Type: application/octet-stream; name=" + quoted + b"\nContent-Disposition: attachment; "
                b"filename=" + quoted + b"\nContent-Transfer-Encoding: base64\n", base64.encodebytes(data))

    def leaf(self):
        head, body = self.text_part() if self.random.random() < 0.6 else self.encoded_part()
        if self.random.random() < 0.2:
            head += b"Content-Description: Isi \xc3\xa9\n"
        return head + b"\n" + body

    def entity(self, depth):
        roll = self.random.random()
        if depth < 3 and roll < 0.4:
            boundary = b"b%d-%d" % (depth, self.random.randrange(1000))
            subtype = self.random.choice([b"mixed", b"alternative", b"related"])
            parts = b"".join(b"--" + boundary + b"\n" + self.entity(depth + 1) + b"\n"
                             for _ in range(self.random.randint(1, 3)))
            return (b"Content-Type: multipart/" + subtype + b"; boundary=\"" + boundary + b"\"\n\n" +
                    self.random.choice(PREAMBLES) + parts + b"--" + boundary + b"--\n" + self.random.choice(EPILOGUES))
        if depth < 3 and roll < 0.5:
            label = self.random.choice([b"", b"Content-Transfer-Encoding: 8bit\n"])
            return (b"Content-Type: message/rfc822\n" + label + b"\nFrom: warga@example.com\n"
                    b"Subject: Fwd: caf\xc3\xa9\nMIME-Version: 1.0\n" + self.entity(depth + 1))
        return self.leaf()

    def message(self):
        text = (b"From: Alice Rahmawati <alice@tangerangkota.go.id>\nTo: warga@example.com\nSubject: bentuk\n"
                b"MIME-Version: 1.0\n" + self.entity(0))
        if self.random.random() < 0.7:
            text = text.replace(b"\n", b"\r\n")
        if self.random.random() < 0.2:
            text = text.rstrip(b"\r\n")
        return text


def check(segel, verify_tool, pki, message, work):
    original = os.path.join(work, "original.eml")
    signed = os.path.join(work, "signed.eml")
    with open(original, "wb") as f:
        f.write(message)
    result = subprocess.run([segel, "msg", "sign", "--pkcs12", os.path.join(pki, "alice.p12"), "--passphrase-file",
                             os.path.join(pki, "p12-passphrase"), "--out", signed, original],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return ["refused: " + result.stderr.strip()]
    verified = subprocess.run([verify_tool, signed, "alice"], capture_output=True, text=True,
                              env=dict(os.environ, SEGEL_TEST_PKI=pki))
    problems = [] if verified.returncode == 0 else ["verifiers: " + verified.stdout.replace("\n", " / ")]
    with open(signed, "rb") as f:
        return problems + mail_shape.differences(message, f.read())


def main():
    segel, verify_tool, pki = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 80
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="segel-shapes-") as work:
        for seed in range(first, first + count):
            message = Generator(seed).message()
            problems = check(segel, verify_tool, pki, message, work)
            if problems:
                failed += 1
                print("seed %d:\n  %s\n  message: %r" % (seed, "\n  ".join(problems), message[:3000]))
    print("%d generated messages: %d signed, read the same and verify everywhere; %d do not" % (count, count - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
