#!/usr/bin/env python3
"""encrypt-throughput.py BUILD_DIR PKI_DIR [--quick]

Benchmark, not a test (run as root: it starts private Postfix instances).
Messages per second from submission to delivery for 1 KB, 100 KB and 2 MB
messages, 20 concurrent authenticated sessions, to mitra@mitra.example (an
RSA-2048 correspondent certificate): with no milter, with OpenDKIM signing,
with segel-milter signing only, with segel-milter signing then encrypting
(policy opportunistic; AES-256-CBC, RSA PKCS#1 v1.5) at the submission (one
external recipient: single_recipient_direct), and the same through the
encryption hop (single_recipient_direct = off: what a message with several
recipients pays per copy), in one run on the same machine. The clock runs until every
message has reached the sink, so the hop's extra queue pass and the
encryption count. Then segel-milter's RSS growth while a 50 MB message is
signed and encrypted. Prints a table.
"""
import os
import shutil
import smtplib
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from postfix_lab import DEMO_PASSWORD, PostfixLab, wait_for  # noqa: E402
from bench_support import (ALICE, CONCURRENCY, arguments, main_as_root, make_message,  # noqa: E402
                           print_table, rss_kb, run_load, start_opendkim, stop_opendkim)

MITRA = "mitra@mitra.example"
COLUMNS = ("no milter", "OpenDKIM", "segel sign", "segel sign+encrypt", "sign+encrypt via hop")



def lab_for(label, segel, milter, pki, scratch):
    """The lab of one column, started; the OpenDKIM process when there is one."""
    if label == "no milter":
        return PostfixLab(segel, milter, pki, smtpd_milters="").start(), None
    if label == "OpenDKIM":
        dkim, spec = start_opendkim(scratch)
        return PostfixLab(segel, milter, pki, smtpd_milters=spec).start(), dkim
    if label == "segel sign":
        return PostfixLab(segel, milter, pki, milter_config="[milter]\nmax_message_bytes = 60000000\n").start(), None
    anchors = os.path.join(scratch, "anchors.pem")
    with open(anchors, "wb") as f:
        for name in ("root.pem", "issuing.pem"):
            f.write(open(os.path.join(pki, name), "rb").read())
    # A 50 MB message is about 72 MB once signed and encrypted (base64 of the CMS).
    lab = PostfixLab(segel, milter, pki, encryption_hop=True, message_size_limit=100000000,
                     milter_config="[milter]\nmax_message_bytes = 100000000\n[routing]\nencrypt_service = segel-encrypt\n"
                                   "[encryption]\nenabled = on\nanchors = %s\nsingle_recipient_direct = %s\n"
                                   % (anchors, "off" if label.endswith("hop") else "on"))
    lab.make_directory()
    for args in (("correspondent", "import", os.path.join(pki, "mitra.cert.pem")),
                 ("policy", "set", "*", "--mode", "opportunistic")):
        result = lab.segel_cmd(*args)
        assert result.returncode == 0, result.stderr
    lab.start_milter()
    lab.start_sink()
    lab.start_postfix()
    return lab, None


def big_message_note(lab, label):
    """Sends one 50 MB message through a freshly started daemon; its time to delivery and RSS growth."""
    lab.stop_milter()
    lab.start_milter()
    pid = lab.milter.pid
    before = rss_kb(pid, "VmHWM")
    arrived = len(os.listdir(lab.sink_dir))
    start = time.time()
    client = smtplib.SMTP("127.0.0.1", lab.submission, timeout=300)
    client.login(ALICE, DEMO_PASSWORD)
    client.sendmail(ALICE, [MITRA], make_message(50 * 1024 * 1024))
    client.quit()
    wait_for(lambda: len(os.listdir(lab.sink_dir)) > arrived, 600, "the 50 MB message")
    peak = rss_kb(pid, "VmHWM")
    return ("%s, 50 MB message: delivered in %.1f s; fresh segel-milter peak RSS %d KB before, %d KB after: "
            "growth %d KB" % (label, time.time() - start, before, peak, peak - before))


def main():
    segel, milter, pki, sizes = arguments()
    results = {}
    notes = []
    for label in COLUMNS:
        scratch = tempfile.mkdtemp(prefix="segel-bench-")
        os.chmod(scratch, 0o755)
        lab, dkim = lab_for(label, segel, milter, pki, scratch)
        try:
            delivered = lambda: len(os.listdir(lab.sink_dir))  # noqa: E731
            for name, size, count in sizes:
                results[(label, name)] = run_load(lab.submission, make_message(size), count, login=True,
                                                  recipient=MITRA, delivered=delivered)
            sample = lab.delivered()[-1]
            marker = {"no milter": None, "OpenDKIM": b"DKIM-Signature:", "segel sign": b"multipart/signed",
                      "segel sign+encrypt": b"application/pkcs7-mime",
                      "sign+encrypt via hop": b"application/pkcs7-mime"}[label]
            if marker and marker not in sample:
                notes.append("%s: the sample message does NOT carry %r" % (label, marker))
            if label != "no milter" and label != "OpenDKIM":
                notes.append(big_message_note(lab, label))
        finally:
            lab.stop()
            stop_opendkim(dkim)
            shutil.rmtree(scratch, ignore_errors=True)
    for name, _, _ in sizes:
        signed = results[("segel sign", name)][0]
        for label in ("segel sign+encrypt", "sign+encrypt via hop"):
            notes.append("%s, %s: %.0f%% over signing alone" % (name, label, (signed / results[(label, name)][0] - 1) * 100))
    print_table("messages per second, submission to delivery, %d concurrent authenticated sessions" % CONCURRENCY,
                COLUMNS, sizes, results, notes, columns=COLUMNS)


if __name__ == "__main__":
    main_as_root(main)
