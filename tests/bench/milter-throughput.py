#!/usr/bin/env python3
"""milter-throughput.py BUILD_DIR PKI_DIR [--quick]

Benchmark, not a test (run as root: it starts private Postfix instances).
Messages per second through Postfix's submission port for 1 KB, 100 KB and
2 MB messages with no milter, with OpenDKIM signing (RSA-2048), and with
segel-milter signing (S/MIME, RSA-2048), in one run on the same machine and
transport (milters on unix sockets), 20 concurrent SMTP sessions with AUTH.
Then segel-milter's peak RSS, and its RSS growth while signing one 50 MB
message. Prints a table.

smtp-source cannot authenticate and Segel signs only authenticated sessions,
so the load comes from this script's own SMTP client (smtplib, one process
per session, several messages per session), used alike for all three.
"""
import os
import shutil
import smtplib
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from postfix_lab import DEMO_PASSWORD, PostfixLab  # noqa: E402
from bench_support import (ALICE, COLUMNS, CONCURRENCY, arguments, main_as_root, make_message,  # noqa: E402
                           print_table, rss_kb, run_load, start_opendkim, stop_opendkim)



def main():
    segel, milter, pki, sizes = arguments()
    results = {}
    notes = []
    for label in COLUMNS:
        scratch = tempfile.mkdtemp(prefix="segel-bench-")
        os.chmod(scratch, 0o755)
        dkim = None
        if label == "no milter":
            lab = PostfixLab(segel, milter, pki, smtpd_milters="")
        elif label == "OpenDKIM":
            dkim, spec = start_opendkim(scratch)
            lab = PostfixLab(segel, milter, pki, smtpd_milters=spec)
        else:
            lab = PostfixLab(segel, milter, pki, milter_config="[milter]\nmax_message_bytes = 60000000\n")
        try:
            lab.start()
            sample_checked = False
            for name, size, count in sizes:
                results[(label, name)] = run_load(lab.submission, make_message(size), count, login=True)
                if not sample_checked:
                    delivered = lab.wait_delivered(1)[0]
                    marker = {"no milter": None, "OpenDKIM": b"DKIM-Signature:", "segel-milter": b"multipart/signed"}[label]
                    if marker and marker not in delivered:
                        notes.append("%s: the sample message was NOT signed" % label)
                    sample_checked = True
            if label == "segel-milter":
                notes.append("segel-milter peak RSS after the load: %d KB" % rss_kb(lab.milter.pid, "VmHWM"))
                # The 50 MB message in a freshly started daemon, so its peak is its own.
                lab.stop_milter()
                lab.start_milter()
                pid = lab.milter.pid
                before = rss_kb(pid, "VmHWM")
                big = make_message(50 * 1024 * 1024)
                start = time.time()
                client = smtplib.SMTP("127.0.0.1", lab.submission, timeout=300)
                client.login(ALICE, DEMO_PASSWORD)
                client.sendmail(ALICE, ["warga@example.com"], big)
                client.quit()
                peak = rss_kb(pid, "VmHWM")
                notes.append("50 MB message: signed and delivered in %.1f s; fresh segel-milter peak RSS %d KB "
                             "before, %d KB after: growth %d KB" % (time.time() - start, before, peak, peak - before))
        finally:
            lab.stop()
            stop_opendkim(dkim)
            shutil.rmtree(scratch, ignore_errors=True)

    print_table("messages per second through Postfix submission, %d concurrent authenticated sessions" % CONCURRENCY,
                ("no milter", "OpenDKIM", "segel-milter"), sizes, results, notes)


if __name__ == "__main__":
    main_as_root(main)
