"""A private Postfix for end-to-end tests.

PostfixLab starts a real Postfix (Debian's) with its own configuration,
queue and data directories, listening on loopback only: a submission port
with SMTP AUTH (Cyrus SASL, sasldb of demo users) and segel-milter as its
milter, relaying everything to an smtp-sink that writes each delivered
message to a file. With local_delivery, it also plays the receiving side:
mail for the recipient domain "penerima.test" goes out by SMTP to a second
smtpd of the same Postfix (the "MX" port, no AUTH, the same milter, so it
is verified as inbound mail), which hands it to Postfix's virtual delivery
agent for the Maildir of kepala@lokal.test. With encryption_hop, it runs
Segel's encryption hop as deploy/postfix describes it: milter_header_checks
sends mail the submission marked (X-Segel-Encrypt) through the segel-encrypt
transport, one recipient per delivery, to a loopback smtpd whose
{daemon_name} is segel-encrypt, after virtual alias expansion (`aliases`
maps an address to others). With decryption_hop, it runs the decryption
hop the same way: mail the milter marked X-Segel-Decrypt goes through the
segel-decrypt transport, one recipient per delivery, to a loopback smtpd
whose {daemon_name} is segel-decrypt. It also prepares a demo directory (`segel directory
init/import`; an SQLite file, or the PostgreSQL database `directory_url` names) and runs
segel-milter (which may connect as another role: `daemon_directory_url`). With second_node, a second submission port has its own segel-milter (a
second gateway node on the same directory) on its own socket. Needs root (Postfix's master does).
Everything lives in one temporary folder; stop() leaves nothing running.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import sys
import threading
import time
import unittest

DEMO_PASSWORD = "rahasia-demo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


MASTER_CF = """\
{submission} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


class PostfixLab:
    def __init__(self, segel, milter, pki, users=("alice", "bambang", "eko"), milter_args=(), milter_config="",
                 smtpd_milters=None, local_delivery=False, encryption_hop=False, aliases=None,
                 message_size_limit=60000000, decryption_hop=False, directory_url=None, second_node=False):
        self.segel = segel
        self.milter_binary = milter
        self.pki = pki
        self.users = users
        self.milter_args = list(milter_args)
        self.milter_config = milter_config
        self.root = tempfile.mkdtemp(prefix="segel-e2e-")
        os.chmod(self.root, 0o755)
        self.submission = free_port()
        self.sink_port = free_port()
        self.sink_dir = os.path.join(self.root, "delivered")
        self.socket_path = os.path.join(self.root, "milter", "milter.sock")
        self.milter = None
        self.sink = None
        self.postfix_started = False
        # None: segel-milter on its socket; "" for no milter; or a Postfix milter list.
        self.smtpd_milters = smtpd_milters
        self.local_delivery = local_delivery
        self.mx = free_port() if local_delivery else None
        self.mail_base = os.path.join(self.root, "mail")
        self.encryption_hop = encryption_hop
        self.hop = free_port() if encryption_hop else None
        self.decryption_hop = free_port() if decryption_hop else None
        self.aliases = aliases or {}
        self.message_size_limit = message_size_limit
        self.directory_url = directory_url
        self.daemon_directory_url = None  # what segel-milter connects to, when not directory_url
        self.second_node = second_node
        self.submission_b = free_port() if second_node else None
        self.socket_path_b = os.path.join(self.root, "milter-b", "milter.sock")
        self.milter_b = None

    # -- the directory ---------------------------------------------------------
    def segel_cmd(self, *args):
        return subprocess.run([self.segel, *args, "--config", os.path.join(self.root, "segel.conf")],
                              capture_output=True, text=True)

    def directory_settings(self, daemon=False):
        """The [directory] section of segel (or, with `daemon`, of segel-milter)."""
        url = (daemon and self.daemon_directory_url) or self.directory_url
        location = "url = " + url if url else "database = %s/db/directory.sqlite" % self.root
        return "[directory]\n%s\nmaster_key = %s/master.key\ndomain = tangerangkota.go.id\n" % (location, self.root)

    def make_directory(self):
        with open(os.path.join(self.root, "segel.conf"), "w") as f:
            f.write(self.directory_settings())
        result = self.segel_cmd("directory", "init")
        assert result.returncode == 0, result.stderr
        for user in self.users:
            result = self.segel_cmd("directory", "import", "--passphrase-file",
                                    os.path.join(self.pki, "p12-passphrase"), os.path.join(self.pki, user + ".p12"))
            assert result.returncode == 0, result.stderr

    # -- segel-milter ------------------------------------------------------------
    def start_milter(self):
        self.milter, self.milter_log = self.launch_milter(self.socket_path, "")

    def launch_milter(self, socket_path, name):
        """Starts one segel-milter on `socket_path` (settings and log named by `name`); returns (process, log)."""
        os.makedirs(os.path.dirname(socket_path), exist_ok=True)
        os.makedirs(os.path.join(self.root, "tmp"), exist_ok=True)
        config = os.path.join(self.root, "segel-milter%s.conf" % name)
        with open(config, "w") as f:
            f.write("[milter]\nsocket = unix:%s\nuser =\ntemp_dir = %s/tmp\n%s%s"
                    % (socket_path, self.root, self.directory_settings(daemon=True), self.milter_config))
        if os.path.exists(socket_path):
            os.unlink(socket_path)  # a stale one would look like a running milter
        log_path = os.path.join(self.root, "milter%s.log" % name)
        log = open(log_path, "a")
        milter = subprocess.Popen([self.milter_binary, "--config", config, "--log-stderr", *self.milter_args],
                                  stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.socket_accepts(socket_path) or milter.poll() is not None, 10, "the milter socket")
        if milter.poll() is not None:
            raise RuntimeError("segel-milter exited: " + open(log_path).read())
        os.chmod(os.path.dirname(socket_path), 0o755)
        os.chmod(socket_path, 0o777)
        return milter, log

    def socket_accepts(self, socket_path=None):
        with socket.socket(socket.AF_UNIX) as s:
            return s.connect_ex(socket_path or self.socket_path) == 0

    def stop_milter(self, signal_number=15):
        for milter, log in ((self.milter, getattr(self, "milter_log", None)),
                            (self.milter_b, getattr(self, "milter_b_log", None))):
            if milter and milter.poll() is None:
                milter.send_signal(signal_number)
                try:
                    milter.wait(10)
                except subprocess.TimeoutExpired:
                    milter.kill()
                    milter.wait()
            if milter:
                log.close()

    # -- the sink ------------------------------------------------------------------
    def start_sink(self):
        os.makedirs(self.sink_dir, exist_ok=True)
        os.chmod(self.sink_dir, 0o777)
        self.sink = subprocess.Popen(["smtp-sink", "-u", "nobody", "-d", self.sink_dir + "/%M.",
                                      "127.0.0.1:%d" % self.sink_port, "100"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: port_open(self.sink_port), 10, "smtp-sink")

    def delivered(self):
        """Delivered messages as bytes, oldest first, without smtp-sink's envelope lines."""
        messages = []
        for name in sorted(os.listdir(self.sink_dir), key=lambda n: os.path.getmtime(os.path.join(self.sink_dir, n))):
            with open(os.path.join(self.sink_dir, name), "rb") as f:
                data = f.read()
            # smtp-sink writes X-Client-*, X-Helo-Args, X-Mail-Args, X-Rcpt-Args first.
            lines = data.split(b"\n")
            while lines and lines[0].startswith((b"X-Client-", b"X-Helo-Args", b"X-Mail-Args", b"X-Rcpt-Args")):
                lines.pop(0)
            messages.append(b"\n".join(lines))
        return messages

    def delivered_to(self):
        """Delivered messages as (recipients, bytes), oldest first: smtp-sink's X-Rcpt-Args name the recipients."""
        out = []
        for name in sorted(os.listdir(self.sink_dir), key=lambda n: os.path.getmtime(os.path.join(self.sink_dir, n))):
            with open(os.path.join(self.sink_dir, name), "rb") as f:
                data = f.read()
            lines = data.split(b"\n")
            recipients = []
            while lines and lines[0].startswith((b"X-Client-", b"X-Helo-Args", b"X-Mail-Args", b"X-Rcpt-Args")):
                line = lines.pop(0)
                if line.startswith(b"X-Rcpt-Args: "):
                    recipients.append(line.split(b"<", 1)[1].split(b">", 1)[0].decode())
            out.append((recipients, b"\n".join(lines)))
        return out

    def wait_delivered(self, count, seconds=20):
        wait_for(lambda: len(os.listdir(self.sink_dir)) >= count, seconds, "%d delivered messages" % count)
        time.sleep(0.2)
        return self.delivered()

    # -- Postfix ---------------------------------------------------------------------
    def start_postfix(self, default_action="tempfail"):
        etc = os.path.join(self.root, "etc")
        sasl = os.path.join(etc, "sasl")  # Debian's Postfix reads $config_directory/sasl/smtpd.conf
        os.makedirs(sasl, exist_ok=True)
        sasldb = os.path.join(sasl, "sasldb2")
        for user in self.users + ("mallory",):
            subprocess.run(["saslpasswd2", "-p", "-c", "-f", sasldb, "-u", "tangerangkota.go.id", user],
                           input=DEMO_PASSWORD, text=True, check=True)
        shutil.chown(sasldb, "postfix")
        os.chmod(sasldb, 0o640)
        with open(os.path.join(sasl, "smtpd.conf"), "w") as f:
            f.write("pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n" % sasldb)
        with open(os.path.join(etc, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(submission="127.0.0.1:%d" % self.submission))
            if self.local_delivery:
                # The receiving side: its own greeting name (else Postfix's smtp
                # client sees a loop) and every recipient redirected to the mailbox.
                f.write("127.0.0.1:%d inet n - n - - smtpd -o myhostname=mx.lokal.test -o smtpd_sasl_auth_enable=no "
                        "-o smtpd_recipient_restrictions=check_recipient_access,texthash:%s/redirect,permit\n"
                        % (self.mx, etc))
            if self.encryption_hop:
                f.write("segel-encrypt unix - - n - - smtp\n"
                        "127.0.0.1:%d inet n - n - - smtpd -o milter_macro_daemon_name=segel-encrypt "
                        "-o receive_override_options=no_address_mappings -o smtpd_sasl_auth_enable=no "
                        "-o content_filter=\n" % self.hop)
            if self.second_node:
                f.write("127.0.0.1:%d inet n - n - - smtpd -o smtpd_milters=unix:%s\n"
                        % (self.submission_b, self.socket_path_b))
            if self.decryption_hop:
                f.write("segel-decrypt unix - - n - - smtp\n"
                        "127.0.0.1:%d inet n - n - - smtpd -o milter_macro_daemon_name=segel-decrypt "
                        "-o receive_override_options=no_address_mappings -o smtpd_sasl_auth_enable=no "
                        "-o content_filter=\n" % self.decryption_hop)
        main_cf = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(self.root, "queue"),
            "data_directory": os.path.join(self.root, "data"),
            "maillog_file": os.path.join(self.root, "maillog"),
            "maillog_file_prefixes": self.root,
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "mail.tangerangkota.go.id",
            "mydomain": "tangerangkota.go.id",
            "mydestination": "",
            "local_transport": "error:local delivery is disabled",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            # Loopback clients may relay without AUTH, as mail arriving on
            # port 25 would: the tests check such mail is never signed.
            "mynetworks": "127.0.0.0/8",
            "relayhost": "[127.0.0.1]:%d" % self.sink_port,
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "smtpd_sasl_auth_enable": "yes",
            "smtpd_sasl_type": "cyrus",
            "smtpd_sasl_path": "smtpd",
            "cyrus_sasl_config_path": sasl,
            "smtpd_sasl_security_options": "noanonymous",
            "smtpd_relay_restrictions": "permit_sasl_authenticated, permit_mynetworks, defer_unauth_destination",
            "smtpd_recipient_restrictions": "permit",
            "smtpd_milters": "unix:" + self.socket_path if self.smtpd_milters is None else self.smtpd_milters,
            "non_smtpd_milters": "",
            "milter_default_action": default_action,
            "milter_protocol": "6",
            "smtputf8_enable": "no",
            "message_size_limit": str(self.message_size_limit),
            "alias_maps": "",
            "alias_database": "",
            "biff": "no",
        }
        if self.local_delivery:
            with open(os.path.join(etc, "redirect"), "w") as f:
                f.write("penerima.test REDIRECT kepala@lokal.test\n")
            with open(os.path.join(etc, "transport"), "w") as f:
                f.write("penerima.test smtp:[127.0.0.1]:%d\n" % self.mx)
            with open(os.path.join(etc, "mailboxes"), "w") as f:
                f.write("kepala@lokal.test kepala/\n")
            os.makedirs(self.mail_base, exist_ok=True)
            shutil.chown(self.mail_base, "nobody", "nogroup")
            main_cf.update({
                "transport_maps": "texthash:%s/transport" % etc,
                "virtual_mailbox_domains": "lokal.test",
                "virtual_mailbox_base": self.mail_base,
                "virtual_mailbox_maps": "texthash:%s/mailboxes" % etc,
                "virtual_uid_maps": "static:65534",
                "virtual_gid_maps": "static:65534",
                "virtual_mailbox_limit": "0",
            })
        if self.encryption_hop or self.decryption_hop:
            with open(os.path.join(etc, "segel_milter_header_checks"), "w") as f:
                if self.encryption_hop:
                    f.write("/^X-Segel-Encrypt:/ FILTER segel-encrypt:[127.0.0.1]:%d\n" % self.hop)
                if self.decryption_hop:
                    f.write("/^X-Segel-Decrypt:/ FILTER segel-decrypt:[127.0.0.1]:%d\n" % self.decryption_hop)
            main_cf.update({
                "milter_header_checks": "regexp:%s/segel_milter_header_checks" % etc,
                "segel-encrypt_destination_recipient_limit": "1",
                "segel-decrypt_destination_recipient_limit": "1",
            })
        if self.aliases:
            with open(os.path.join(etc, "virtual"), "w") as f:
                for alias, targets in self.aliases.items():
                    f.write("%s %s\n" % (alias, ", ".join(targets)))
            main_cf.update({"virtual_alias_maps": "texthash:%s/virtual" % etc, "virtual_alias_domains": ""})
        with open(os.path.join(etc, "main.cf"), "w") as f:
            for key, value in main_cf.items():
                f.write("%s = %s\n" % (key, value))
        for folder in ("queue", "data"):
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
        shutil.chown(os.path.join(self.root, "data"), "postfix")
        result = subprocess.run(["postfix", "-c", etc, "start"], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("postfix start failed: " + result.stdout + result.stderr)
        self.postfix_started = True
        wait_for(lambda: port_open(self.submission), 20, "Postfix's submission port")

    def postfix_log(self):
        path = os.path.join(self.root, "maillog")
        return open(path).read() if os.path.exists(path) else ""

    def milter_output(self):
        return open(os.path.join(self.root, "milter.log")).read()

    def start(self):
        self.make_directory()
        if self.smtpd_milters is None:
            self.start_milter()
        if self.second_node:
            self.milter_b, self.milter_b_log = self.launch_milter(self.socket_path_b, "-b")
        self.start_sink()
        self.start_postfix()
        return self

    def stop(self, keep=False):
        if self.postfix_started:
            subprocess.run(["postfix", "-c", os.path.join(self.root, "etc"), "stop"], capture_output=True)
            self.postfix_started = False
        self.stop_milter()
        if self.sink and self.sink.poll() is None:
            self.sink.terminate()
            self.sink.wait()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def mailbox(self, count, seconds=20):
        """The messages in kepala@lokal.test's Maildir (local_delivery), oldest first, once there are `count`."""
        new = os.path.join(self.mail_base, "kepala", "new")
        wait_for(lambda: os.path.isdir(new) and len(os.listdir(new)) >= count, seconds,
                 "%d messages in the local mailbox" % count)
        names = sorted(os.listdir(new), key=lambda n: os.path.getmtime(os.path.join(new, n)))
        messages = []
        for name in names:
            with open(os.path.join(new, name), "rb") as f:
                messages.append(f.read())
        return messages

    # -- submission ----------------------------------------------------------------------
    def submit(self, login, message, sender=None, recipients=("warga@example.com",), auth=True, password=DEMO_PASSWORD,
               port=None):
        """Submits with swaks (to the submission port unless `port`); returns (exit code, swaks transcript)."""
        args = ["swaks", "--server", "127.0.0.1:%d" % (port or self.submission), "--helo", "client.example",
                "--from", sender or login, "--data", "-", "--hide-informational", "--timeout", "60"]
        args += ["--to", ",".join(recipients)]  # swaks keeps only the last of several --to
        if auth:
            args += ["--auth", "PLAIN", "--auth-user", login, "--auth-password", password]
        result = subprocess.run(args, input=message, capture_output=True)
        return result.returncode, (result.stdout + result.stderr).decode("utf-8", "replace")


def verify_signed(build, folder, data, user):
    """Runs segel-test-verify (OpenSSL, gpgsm, NSS) on a delivered message signed for `user`; returns
    (exit code, output)."""
    path = os.path.join(folder, "check-%d-%d.eml" % (os.getpid(), threading.get_ident()))
    with open(path, "wb") as f:
        f.write(data)
    result = subprocess.run([os.path.join(build, "tests", "segel-test-verify"), path, user],
                            capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def start_lab(lab):
    """Starts `lab`, stopping what did start when a part fails; returns it."""
    try:
        return lab.start()
    except Exception:
        lab.stop()
        raise


def stop_lab(test, lab):
    """tearDown's half: prints the logs when `test` failed (or SEGEL_KEEP_LAB is set), then stops `lab`."""
    result = getattr(test._outcome, "result", None)  # Python 3.11: errors are recorded on the result
    if (result and (result.errors or result.failures)) or os.environ.get("SEGEL_KEEP_LAB"):
        sys.stderr.write("--- milter log ---\n%s\n--- postfix log ---\n%s\n"
                         % (lab.milter_output()[-4000:], lab.postfix_log()[-4000:]))
    lab.stop()


def test_names(suite):
    """Class.method of every test in `suite`, for CTest to register each one."""
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from test_names(item)
        else:
            yield item.id().split(".", 1)[1]


def e2e_main(module):
    """The command line of an e2e test file: `--list` prints its tests' names; otherwise, as root, BUILD_DIR
    (stored as module.BUILD) and unittest's arguments; exits 77 (skipped) without root."""
    if sys.argv[1:] == ["--list"]:
        print("\n".join(test_names(unittest.defaultTestLoader.loadTestsFromModule(module))))
        sys.exit(0)
    if os.geteuid() != 0:
        print("end-to-end tests start Postfix and need root: skipped")
        sys.exit(77)
    module.BUILD = sys.argv.pop(1)
    unittest.main(module=module)
