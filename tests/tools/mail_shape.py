"""What a reader of a message sees of its MIME structure, read with Python's
email package (a parser independent of GMime): for every entity in tree
order its type, charset, file name and disposition, the number of children
of a multipart, and the decoded bytes of a leaf. Signing must leave all of
it as it was (issue 9 item 2), except that 7-bit text without a charset may
gain charset=us-ascii. Text compares CRLF and LF line breaks as equal, but
not a lone CR."""
import email
import email.message
from email.header import decode_header, make_header


def _raw_field(part, name):
    """The field's value as text; raw 8-bit read as UTF-8, else Latin-1 (what
    a mail client does with an undeclared charset)."""
    for key, value in part.raw_items():
        if key.lower() == name:
            raw = str(value).encode("ascii", "surrogateescape")
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("latin-1")
    return None


def _decoded_words(text):
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # a malformed encoded-word stays as it is, on both sides
        return text


def file_name(part):
    """filename= of Content-Disposition, else name= of Content-Type, decoded
    (RFC 2231, and RFC 2047 inside quotes as many clients write it)."""
    fields = email.message.Message()
    for name in ("content-disposition", "content-type"):
        value = _raw_field(part, name)
        if value is not None:
            fields[name] = value
    found = fields.get_filename()
    return None if found is None else _decoded_words(found)


def shape(message):
    rows = []
    for part in message.walk():
        row = {"type": part.get_content_type(), "charset": part.get_content_charset(),
               "filename": file_name(part), "disposition": part.get_content_disposition()}
        if part.is_multipart():
            row["children"] = len(part.get_payload())
        else:
            decoded = part.get_payload(decode=True) or b""
            if part.get_content_maintype() == "text":  # a line break is CRLF or LF alike (RFC 2046 §4.1.1)
                decoded = decoded.replace(b"\r\n", b"\n")
            row["decoded"] = decoded
        rows.append(row)
    return rows


def signed_content(signed_bytes):
    """Part 1 of a multipart/signed message, as an email.message.Message."""
    signed = email.message_from_bytes(signed_bytes)
    if signed.get_content_type() != "multipart/signed":
        raise ValueError("not multipart/signed but " + signed.get_content_type())
    return signed.get_payload(0)


def differences(original_bytes, signed_bytes):
    """What a reader would see differently after signing; an empty list if nothing."""
    before = shape(email.message_from_bytes(original_bytes))
    after = shape(signed_content(signed_bytes))
    if len(before) != len(after):
        return ["%d MIME entities before signing, %d after" % (len(before), len(after))]
    found = []
    for index, (old, new) in enumerate(zip(before, after)):
        for key, value in old.items():
            if value == new.get(key):
                continue
            if key == "charset" and value is None and new[key] == "us-ascii" and old["type"].startswith("text/") \
                    and all(b < 0x80 for b in old.get("decoded") or b""):
                continue
            found.append("entity %d (%s): %s %r became %r" % (index, old["type"], key, _short(value), _short(new.get(key))))
    return found


def _short(value):
    if isinstance(value, (bytes, str)) and len(value) > 80:
        return value[:80] + (b"..." if isinstance(value, bytes) else "...")
    return value
