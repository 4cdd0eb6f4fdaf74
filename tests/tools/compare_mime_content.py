#!/usr/bin/env python3
"""compare_mime_content.py ORIGINAL SIGNED

Checks that the signed message shows the reader what the original showed:
the MIME tree of the signed message's first part (multipart/signed, RFC 1847)
has the original's entities, each with the same type, charset, file name,
disposition and decoded bytes (mail_shape.py; Python's own email package,
independent of the code under test). Exit 0 when equal; 1 with what differs.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mail_shape  # noqa: E402


def main():
    with open(sys.argv[1], "rb") as f:
        original = f.read()
    with open(sys.argv[2], "rb") as f:
        signed = f.read()
    try:
        found = mail_shape.differences(original, signed)
    except ValueError as error:
        found = [str(error)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
