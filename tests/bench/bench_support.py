"""Shared pieces of the milter benchmarks (milter-throughput.py,
verify-throughput.py): the test message, the SMTP load of 20 concurrent
sessions, OpenDKIM started on a unix socket, and the result table."""
import multiprocessing
import os
import smtplib
import subprocess
import sys
import time

from postfix_lab import DEMO_PASSWORD

CONCURRENCY = 20
SIZES = [("1 KB", 1024, 3000), ("100 KB", 100 * 1024, 1000), ("2 MB", 2 * 1024 * 1024, 120)]
ALICE = "alice@tangerangkota.go.id"
COLUMNS = ("no milter", "OpenDKIM", "segel-milter")


def make_message(size):
    line = b"Laporan kegiatan pelayanan publik Kota Tangerang, baris isi untuk uji beban.\r\n"
    head = (b"From: Alice Rahmawati <alice@tangerangkota.go.id>\r\nTo: warga@example.com\r\n"
            b"Subject: Uji beban\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
    body = line * max(1, (size - len(head)) // len(line))
    return head + body


def session(args):
    """One SMTP session sending `count` messages to `recipient`; with AUTH as alice when `login`, else as a stranger."""
    port, count, message, login, recipient = args
    client = smtplib.SMTP("127.0.0.1", port, timeout=120)
    if login:
        client.login(ALICE, DEMO_PASSWORD)
    sender = ALICE if login else "x@example.org"
    failures = 0
    for _ in range(count):
        try:
            client.sendmail(sender, [recipient], message)
        except smtplib.SMTPException:
            failures += 1
    client.quit()
    return failures


def run_load(port, message, count, login, recipient="warga@example.com", delivered=None):
    """Messages per second and failures for `count` messages over CONCURRENCY sessions. With
    `delivered` (a function giving how many messages have arrived so far), the time runs until
    all of them have arrived, not only until they were accepted."""
    per_session = [count // CONCURRENCY + (1 if i < count % CONCURRENCY else 0) for i in range(CONCURRENCY)]
    arrived_before = delivered() if delivered else 0
    with multiprocessing.Pool(CONCURRENCY) as pool:
        start = time.time()
        failures = sum(pool.map(session, [(port, n, message, login, recipient) for n in per_session]))
        while delivered and delivered() < arrived_before + count - failures and time.time() - start < 1800:
            time.sleep(0.02)
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
    """A /proc/PID/status field in KB (VmHWM: peak RSS)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def print_table(title, headings, sizes, results, notes, columns=COLUMNS):
    """results[(column, size name)] = (rate, failures), in `columns` order; then the notes."""
    print("\n" + title)
    print("%-8s" % "size" + "".join("%22s" % h for h in headings))
    for name, _, count in sizes:
        row = [results[(label, name)] for label in columns]
        print("%-8s" % name + "".join("%22.0f" % r[0] for r in row) +
              "   (%d messages each; failures %s)" % (count, "/".join(str(r[1]) for r in row)))
    for note in notes:
        print(note)


def stop_opendkim(process):
    if process:
        process.terminate()
        process.wait()


def main_as_root(main):
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark starts private Postfix instances")
    main()


def arguments():
    """BUILD_DIR PKI_DIR [--quick] -> (segel, segel-milter, pki, sizes); --quick sends a tenth."""
    build, pki = sys.argv[1], sys.argv[2]
    sizes = [(n, s, max(CONCURRENCY, c // 10)) for n, s, c in SIZES] if "--quick" in sys.argv else SIZES
    return os.path.join(build, "directory", "segel"), os.path.join(build, "milter", "segel-milter"), pki, sizes
