#!/usr/bin/env python3
"""verify-throughput.py BUILD_DIR PKI_DIR [--quick]

Benchmark, not a test (run as root: it starts private Postfix instances).
The inbound side of milter-throughput.py: messages per second through
Postfix for 1 KB, 100 KB and 2 MB messages arriving without AUTH (as on
port 25), with no milter, with OpenDKIM verifying DKIM signatures
(RSA-2048, key from TestDNSData), and with segel-milter verifying S/MIME
signatures and stamping its verdict (RSA-2048, revocation from the
directory). 20 concurrent SMTP sessions, the same client for all three.
The signed samples are made first: DKIM by OpenDKIM itself through a
signing Postfix, S/MIME by `segel msg sign`. A delivered sample of each run
must carry dkim=pass or smime=pass, or the run is flagged. Prints a table.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from postfix_lab import PostfixLab  # noqa: E402
from bench_support import (ALICE, COLUMNS, CONCURRENCY, arguments, main_as_root, make_message,  # noqa: E402
                           print_table, run_load, start_opendkim, stop_opendkim)


def dkim_samples(segel, milter, pki, sizes, scratch):
    """Messages signed by OpenDKIM through a signing Postfix, and the DNS data of its key."""
    dkim, spec = start_opendkim(scratch)
    lab = PostfixLab(segel, milter, pki, smtpd_milters=spec)
    samples = {}
    try:
        lab.start()
        for i, (name, size, _) in enumerate(sizes):
            code, transcript = lab.submit(ALICE, make_message(size))
            if code != 0:
                raise RuntimeError("signing submission failed: " + transcript)
            samples[name] = lab.wait_delivered(i + 1)[i].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    finally:
        lab.stop()
        stop_opendkim(dkim)
    # bench.txt: bench._domainkey IN TXT ( "v=DKIM1; ..." "p=..." ... ) ; comment
    with open(os.path.join(scratch, "dkim", "bench.txt")) as f:
        quoted = f.read().split("(", 1)[1].split(")", 1)[0]
    return samples, "".join(re.findall(r'"([^"]*)"', quoted))


def smime_samples(segel, pki, sizes):
    samples = {}
    for name, size, _ in sizes:
        made = subprocess.run([segel, "msg", "sign", "--pkcs12", os.path.join(pki, "alice.p12"), "--passphrase-file",
                               os.path.join(pki, "p12-passphrase")], input=make_message(size),
                              capture_output=True, check=True)
        samples[name] = made.stdout
    return samples


def start_verifying_opendkim(root, record):
    socket_path = os.path.join(root, "opendkim-verify.sock")
    with open(os.path.join(root, "dns"), "w") as f:
        f.write("bench._domainkey.tangerangkota.go.id %s\n" % record)
    config = os.path.join(root, "opendkim-verify.conf")
    with open(config, "w") as f:
        f.write("Socket local:%s\nMode v\nBackground no\nSyslog no\nUMask 000\nAuthservID mx.bench\n"
                "TestDNSData file:%s/dns\nPidFile %s/opendkim-verify.pid\n" % (socket_path, root, root))
    process = subprocess.Popen(["opendkim", "-x", config, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while not os.path.exists(socket_path) and time.time() < deadline:
        time.sleep(0.05)
    return process, "unix:" + socket_path


def main():
    segel, milter, pki, sizes = arguments()
    scratch = tempfile.mkdtemp(prefix="segel-vbench-")
    os.chmod(scratch, 0o755)
    results = {}
    notes = []
    try:
        dkim_signed, record = dkim_samples(segel, milter, pki, sizes, scratch)
        smime_signed = smime_samples(segel, pki, sizes)
        for label in COLUMNS:
            dkim = None
            if label == "no milter":
                lab = PostfixLab(segel, milter, pki, smtpd_milters="")
            elif label == "OpenDKIM":
                dkim, spec = start_verifying_opendkim(scratch, record)
                lab = PostfixLab(segel, milter, pki, smtpd_milters=spec)
            else:
                lab = PostfixLab(segel, milter, pki, milter_config="[milter]\nmax_message_bytes = 60000000\n"
                                 "[verify]\nenabled = on\nanchors = %s/root.pem\n" % pki)
            samples = dkim_signed if label == "OpenDKIM" else smime_signed
            try:
                lab.start()
                for i, (name, _, count) in enumerate(sizes):
                    results[(label, name)] = run_load(lab.submission, samples[name], count, login=False)
                    if i == 0:
                        sample = lab.wait_delivered(1)[0]
                        marker = {"no milter": None, "OpenDKIM": b"dkim=pass", "segel-milter": b"smime=pass"}[label]
                        if marker and marker not in sample:
                            notes.append("%s: the sample message did NOT verify" % label)
            finally:
                lab.stop()
                stop_opendkim(dkim)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print_table("messages per second through Postfix, %d concurrent sessions without AUTH (inbound)" % CONCURRENCY,
                ("no milter", "OpenDKIM verify", "segel-milter verify"), sizes, results, notes)


if __name__ == "__main__":
    main_as_root(main)
