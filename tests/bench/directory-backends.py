#!/usr/bin/env python3
"""directory-backends.py BUILD_DIR PKI_DIR [--quick]

Benchmark, not a test (run as root: it starts private Postfix instances and
a private PostgreSQL). Messages per second through Postfix's submission
port for 1 KB, 100 KB and 2 MB messages in one run: no milter, OpenDKIM,
segel-milter on the embedded SQLite directory, and segel-milter on a
PostgreSQL directory (Debian's server on a unix socket, started by
tests/postgres/postgres-cluster.sh with the server's durability defaults, the daemon as segel_daemon with the
grants of deploy/postgresql/roles.sql), 20 concurrent authenticated
sessions. Prints a table.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from postfix_lab import PostfixLab  # noqa: E402
from bench_support import (CONCURRENCY, arguments, main_as_root, make_message, print_table, run_load,  # noqa: E402
                           start_opendkim, stop_opendkim)

CLUSTER = os.path.join(HERE, "..", "postgres", "postgres-cluster.sh")
ROLES = os.path.join(HERE, "..", "..", "deploy", "postgresql", "roles.sql")
COLUMNS = ("no milter", "OpenDKIM", "segel SQLite", "segel PostgreSQL")


def postgres_directory(segel, scratch, lab):
    """Starts a PostgreSQL in `scratch`, creates the directory as its owner and the roles; points `lab` at it."""
    state = os.path.join(scratch, "postgres")
    # The server's own durability defaults, as in production (the tests' servers skip fsync).
    subprocess.run(["sh", CLUSTER, "start", state], check=True, env=dict(os.environ, SEGEL_PG_DURABLE="1"))
    with open(os.path.join(state, "host")) as f:
        host = f.read().strip()
    with open(os.path.join(state, "port")) as f:
        port = f.read().strip()
    url = "postgresql:///%s?host=" + host + "&port=" + port + "&user=%s"
    subprocess.run(["psql", "-q", url % ("postgres", "segel_test"), "-c", "CREATE DATABASE segel"], check=True)
    subprocess.run([segel, "directory", "init", "--database", url % ("segel", "segel_test"), "--master-key",
                    os.path.join(lab.root, "master.key")], check=True, capture_output=True)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url % ("segel", "segel_test"), "-f", ROLES], check=True)
    lab.directory_url = url % ("segel", "segel_operator")
    lab.daemon_directory_url = url % ("segel", "segel_daemon")
    return state


def main():
    segel, milter, pki, sizes = arguments()
    results = {}
    notes = []
    for label in COLUMNS:
        scratch = tempfile.mkdtemp(prefix="segel-bench-")
        os.chmod(scratch, 0o755)
        dkim = state = None
        if label == "no milter":
            lab = PostfixLab(segel, milter, pki, smtpd_milters="")
        elif label == "OpenDKIM":
            dkim, spec = start_opendkim(scratch)
            lab = PostfixLab(segel, milter, pki, smtpd_milters=spec)
        else:
            lab = PostfixLab(segel, milter, pki)
            if label == "segel PostgreSQL":
                state = postgres_directory(segel, scratch, lab)
        try:
            lab.start()
            for name, size, count in sizes:
                results[(label, name)] = run_load(lab.submission, make_message(size), count, login=True)
            if label.startswith("segel") and b"multipart/signed" not in lab.wait_delivered(1)[0]:
                notes.append("%s: the sample message was NOT signed" % label)
        finally:
            lab.stop()
            stop_opendkim(dkim)
            if state:
                subprocess.run(["sh", CLUSTER, "stop", state])
            shutil.rmtree(scratch, ignore_errors=True)
    print_table("messages per second through Postfix submission, %d concurrent authenticated sessions" % CONCURRENCY,
                COLUMNS, sizes, results, notes, columns=COLUMNS)


if __name__ == "__main__":
    main_as_root(main)
