#!/usr/bin/env python3
"""compare_mime_content.py ORIGINAL SIGNED

Checks that the signed message shows the reader the same content as the
original: every leaf part of the original, decoded, equals the matching leaf
of the signed message's first part (multipart/signed, RFC 1847). Text line
ends are compared as LF. Uses Python's own email package, independent of the
code under test. Exit 0 when equal; 1 with a description otherwise.
"""
import email
import sys


def leaves(message):
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_content_maintype() == "text":
            payload = payload.replace(b"\r\n", b"\n")
        found.append((part.get_content_type(), payload))
    return found


def main():
    with open(sys.argv[1], "rb") as f:
        original = email.message_from_bytes(f.read())
    with open(sys.argv[2], "rb") as f:
        signed = email.message_from_bytes(f.read())
    if signed.get_content_type() != "multipart/signed":
        print("signed message is %s, not multipart/signed" % signed.get_content_type())
        return 1
    want = leaves(original)
    got = leaves(signed.get_payload(0))
    if want == got:
        return 0
    print("content differs")
    for index, (w, g) in enumerate(zip(want, got)):
        if w != g:
            print("leaf %d: want %r..., got %r..." % (index, (w[0], w[1][:80]), (g[0], g[1][:80])))
    if len(want) != len(got):
        print("want %d leaves, got %d" % (len(want), len(got)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
