#!/usr/bin/env python3
"""End-to-end: two gateway nodes on one PostgreSQL directory (issue 14).

A real PostgreSQL (Debian's, started by tests/postgres/postgres-cluster.sh in
a temporary folder as an unprivileged user) holds the directory, with the
roles of deploy/postgresql/roles.sql: the milters connect as segel_daemon,
`segel` as segel_operator, only `segel directory init` as the owner. One real
Postfix has two submission ports, each with its own segel-milter process
(two nodes; with two Postfix servers it is the same: each node only talks
to the database). Checks: a revocation through one node is refused by the
other at the next message; both sign under load at once and the one audit
chain verifies; PostgreSQL stopped under load makes messages tempfail (the
client keeps them: none lost, none signed wrongly, none passed unsigned)
and signing resumes when it is back, without restarting the milters.
Run: test_nodes.py BUILD_DIR TestNodes.test_name; `--list` prints the tests.
Needs root (Postfix's master); exits 77 (skipped) otherwise.
"""
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postfix_lab import PostfixLab, e2e_main, start_lab, stop_lab, verify_signed  # noqa: E402

BUILD = None
HERE = os.path.dirname(os.path.abspath(__file__))
CLUSTER = os.path.join(HERE, "..", "postgres", "postgres-cluster.sh")
ROLES = os.path.join(HERE, "..", "..", "deploy", "postgresql", "roles.sql")
ALICE = "alice@tangerangkota.go.id"
BAMBANG = "bambang@tangerangkota.go.id"


def message(sender, subject):
    return ("From: %s\r\nTo: warga@example.com\r\nSubject: %s\r\nMessage-ID: <%s.%f@tangerangkota.go.id>\r\n\r\n"
            "Isi surat dinas.\r\n" % (sender, subject, subject, time.time())).encode()


def first_line(path):
    with open(path) as f:
        return f.read().strip()


def cluster(action, state):
    subprocess.run(["sh", CLUSTER, action, state], check=True, capture_output=True)


class TestNodes(unittest.TestCase):
    def setUp(self):
        self.state = None
        pki = os.environ["SEGEL_TEST_PKI"]
        lab = PostfixLab(os.path.join(BUILD, "directory", "segel"), os.path.join(BUILD, "milter", "segel-milter"),
                         pki, users=("alice", "bambang"), second_node=True)
        self.state = os.path.join(lab.root, "postgres")
        cluster("start", self.state)
        host = first_line(os.path.join(self.state, "host"))
        port = first_line(os.path.join(self.state, "port"))
        url = "postgresql:///%s?host=" + host + "&port=" + port + "&user=%s"
        subprocess.run(["psql", "-q", url % ("postgres", "segel_test"), "-c", "CREATE DATABASE segel"],
                       check=True, capture_output=True)
        # The owner creates the schema, then the grants; nodes and operators use their roles.
        init = subprocess.run([lab.segel, "directory", "init", "--database", url % ("segel", "segel_test"),
                               "--master-key", os.path.join(lab.root, "master.key")], capture_output=True, text=True)
        self.assertEqual(init.returncode, 0, init.stderr)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url % ("segel", "segel_test"), "-f", ROLES],
                       check=True, capture_output=True)
        lab.directory_url = url % ("segel", "segel_operator")
        lab.daemon_directory_url = url % ("segel", "segel_daemon")
        self.lab = start_lab(lab)

    def tearDown(self):
        stop_lab(self, self.lab)
        if self.state:
            subprocess.run(["sh", CLUSTER, "stop", self.state], capture_output=True)

    def submit(self, node, login, subject):
        port = self.lab.submission if node == "a" else self.lab.submission_b
        return self.lab.submit(login, message(login, subject), port=port)

    def verify(self, delivered, user):
        code, output = verify_signed(BUILD, self.lab.root, delivered, user)
        self.assertEqual(code, 0, output)

    def assert_audit_intact(self):
        result = self.lab.segel_cmd("audit", "verify")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("audit log intact", result.stdout)
        return int(result.stdout.split("intact: ")[1].split(" ")[0])

    def test_a_revocation_through_one_node_is_refused_by_the_other(self):
        for node in ("a", "b"):
            code, transcript = self.submit(node, ALICE, "Sebelum-" + node)
            self.assertEqual(code, 0, transcript)
        self.lab.wait_delivered(2)
        serial = subprocess.run(["openssl", "x509", "-in", os.path.join(os.environ["SEGEL_TEST_PKI"], "alice.cert.pem"),
                                 "-noout", "-serial"], capture_output=True, text=True).stdout.strip().split("=")[1]
        revoked = self.lab.segel_cmd("directory", "revoke", serial, "--reason", "mutasi")
        self.assertEqual(revoked.returncode, 0, revoked.stderr)
        for node in ("b", "a"):
            code, transcript = self.submit(node, ALICE, "Sesudah-" + node)
            self.assertNotEqual(code, 0, transcript)
            self.assertIn("<** 550", transcript)
            self.assertIn("certificate is revoked, expired or not usable", transcript)
        # The nodes' role cannot undo it (nor edit the audit chain).
        for statement in ("UPDATE certificates SET status = 'active'", "DELETE FROM audit_log"):
            denied = subprocess.run(["psql", "-q", self.lab.daemon_directory_url, "-c", statement],
                                    capture_output=True, text=True)
            self.assertNotEqual(denied.returncode, 0)
            self.assertIn("permission denied", denied.stderr)
        # Bambang still signs on both.
        code, transcript = self.submit("b", BAMBANG, "Bambang")
        self.assertEqual(code, 0, transcript)
        self.assertEqual(len(self.lab.wait_delivered(3)), 3)
        self.assert_audit_intact()

    def test_both_nodes_sign_under_load_and_the_audit_chain_verifies(self):
        per_thread = 8
        jobs = [(node, user) for node in ("a", "b") for user in (ALICE, BAMBANG)]
        failures = []

        def send(node, user):
            for i in range(per_thread):
                code, transcript = self.submit(node, user, "Beban-%s-%s-%d" % (node, user.split("@")[0], i))
                if code != 0:
                    failures.append(transcript)

        threads = [threading.Thread(target=send, args=job) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        total = per_thread * len(jobs)
        delivered = self.lab.wait_delivered(total, seconds=60)
        self.assertEqual(len(delivered), total)
        for data in delivered:
            self.verify(data, "alice" if b"From: " + ALICE.encode() in data else "bambang")
        entries = self.assert_audit_intact()
        audit = self.lab.segel_cmd("audit", "list").stdout
        self.assertEqual(audit.count("Beban-"), total)  # one sign entry per message, from both nodes
        self.assertGreater(entries, total)
        a_log, b_log = self.lab.milter_output(), first_line(os.path.join(self.lab.root, "milter-b.log"))
        self.assertIn("decision=signed", a_log)
        self.assertIn("decision=signed", b_log)

    def test_postgres_stopped_under_load_tempfails_then_signing_resumes(self):
        pids = (self.lab.milter.pid, self.lab.milter_b.pid)
        outcomes = {}  # subject -> list of (code, transcript), in order
        stop = threading.Event()

        def send(node, user):
            i = 0
            while not stop.is_set():
                subject = "Gangguan-%s-%s-%d" % (node, user.split("@")[0], i)
                outcomes[subject] = [(self.submit(node, user, subject), node, user)]
                i += 1

        threads = [threading.Thread(target=send, args=(node, user)) for node, user in (("a", ALICE), ("b", BAMBANG))]
        for t in threads:
            t.start()
        time.sleep(1.5)
        cluster("halt", self.state)
        time.sleep(3)
        cluster("resume", self.state)
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join()
        tempfailed = [s for s, tries in outcomes.items() if tries[0][0][0] != 0]
        self.assertTrue(tempfailed, "no message met the outage")
        for subject in tempfailed:
            (code, transcript), node, user = outcomes[subject][0]
            self.assertIn("<** 451", transcript)
            self.assertIn("directory is unavailable", transcript)
            # The client keeps the message and tries again: now it is signed.
            retry_code, retry = self.submit(node, user, subject)
            self.assertEqual(retry_code, 0, retry)
        total = len(outcomes)
        delivered = self.lab.wait_delivered(total, seconds=60)
        self.assertEqual(len(delivered), total)  # each message once: none lost, none twice
        for data in delivered:
            self.assertIn(b"multipart/signed", data)
            self.verify(data, "alice" if b"From: " + ALICE.encode() in data else "bambang")
        self.assertEqual((self.lab.milter.poll(), self.lab.milter_b.poll()), (None, None))
        self.assertEqual((self.lab.milter.pid, self.lab.milter_b.pid), pids)
        self.assert_audit_intact()


if __name__ == "__main__":
    e2e_main(sys.modules[__name__])
