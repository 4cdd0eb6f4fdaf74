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
import multiprocessing
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from postfix_lab import DEMO_PASSWORD, PostfixLab  # noqa: E402

CONCURRENCY = 20
SIZES = [("1 KB", 1024, 3000), ("100 KB", 100 * 1024, 1000), ("2 MB", 2 * 1024 * 1024, 120)]
ALICE = "alice@tangerangkota.go.id"


def make_message(size):
    line = b"Laporan kegiatan pelayanan publik Kota Tangerang, baris isi untuk uji beban.\r\n"
    head = (b"From: Alice Rahmawati <alice@tangerangkota.go.id>\r\nTo: warga@example.com\r\n"
            b"Subject: Uji beban\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
    body = line * max(1, (size - len(head)) // len(line))
    return head + body


def session(args):
    port, count, message = args
    client = smtplib.SMTP("127.0.0.1", port, timeout=120)
    client.login(ALICE, DEMO_PASSWORD)
    failures = 0
    for _ in range(count):
        try:
            client.sendmail(ALICE, ["warga@example.com"], message)
        except smtplib.SMTPException:
            failures += 1
    client.quit()
    return failures


def run_load(port, size, count):
    message = make_message(size)
    per_session = [count // CONCURRENCY + (1 if i < count % CONCURRENCY else 0) for i in range(CONCURRENCY)]
    with multiprocessing.Pool(CONCURRENCY) as pool:
        start = time.time()
        failures = sum(pool.map(session, [(port, n, message) for n in per_session]))
        elapsed = time.time() - start
    return count / elapsed, failures


def start_opendkim(root):
    keys = os.path.join(root, "dkim")
    os.makedirs(keys)
    subprocess.run(["opendkim-genkey", "-b", "2048", "-d", "tangerangkota.go.id", "-s", "bench", "-D", keys],
                   check=True)
    socket_path = os.path.join(root, "opendkim.sock")
    config = os.path.join(root, "opendkim.conf")
    with open(config, "w") as f:
        f.write("Socket local:%s\nDomain tangerangkota.go.id\nSelector bench\nKeyFile %s/bench.private\n"
                "Mode s\nSignatureAlgorithm rsa-sha256\nCanonicalization relaxed/simple\nBackground no\n"
                "Syslog no\nUMask 000\nInternalHosts 127.0.0.1\nPidFile %s/opendkim.pid\n"
                # the throw-away key lives under /tmp, which OpenDKIM would refuse
                "RequireSafeKeys false\n"
                % (socket_path, keys, root))
    process = subprocess.Popen(["opendkim", "-x", config, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while not os.path.exists(socket_path) and time.time() < deadline:
        time.sleep(0.05)
    return process, "unix:" + socket_path


def rss_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    build, pki = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv
    sizes = [(n, s, max(CONCURRENCY, c // 10)) for n, s, c in SIZES] if quick else SIZES
    segel = os.path.join(build, "directory", "segel")
    milter = os.path.join(build, "milter", "segel-milter")
    results = {}
    notes = []
    for label in ("no milter", "OpenDKIM", "segel-milter"):
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
                rate, failures = run_load(lab.submission, size, count)
                results[(label, name)] = (rate, failures)
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
            if dkim:
                dkim.terminate()
                dkim.wait()
            shutil.rmtree(scratch, ignore_errors=True)

    print("\nmessages per second through Postfix submission, %d concurrent authenticated sessions" % CONCURRENCY)
    print("%-8s %12s %12s %14s" % ("size", "no milter", "OpenDKIM", "segel-milter"))
    for name, _, count in sizes:
        row = [results[(label, name)] for label in ("no milter", "OpenDKIM", "segel-milter")]
        print("%-8s %12.0f %12.0f %14.0f   (%d messages each; failures %s)"
              % (name, row[0][0], row[1][0], row[2][0], count, "/".join(str(r[1]) for r in row)))
    for note in notes:
        print(note)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark starts private Postfix instances")
    main()
