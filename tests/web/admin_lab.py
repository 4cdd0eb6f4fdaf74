"""A segel-admin on loopback over a fresh demo directory, for the web tests.

AdminLab(build, pki) makes a temporary folder with segel.conf ([directory]:
an SQLite file, the demo users alice, bambang and eko imported from the demo
PKI; [web]: a free loopback port and an accounts file), three accounts made
with `segel account add` (ra: ra_operator, audit: auditor, admin:
administrator; every password PASSWORD), starts segel-admin and waits for
it. An existing lab folder (a PostfixLab's) can be used instead: pass
`root`, and the lab writes its [web] section into that segel.conf.
"""
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse

PASSWORD = "kata-sandi-uji-1234"
ACCOUNTS = {"ra": "ra_operator", "audit": "auditor", "admin": "administrator"}
USERS = ("alice", "bambang", "eko")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Answer:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.getheaders()
        self.body = response.read()

    def header(self, name):
        return ", ".join(v for k, v in self.headers if k.lower() == name.lower())

    def cookies(self):
        return [v for k, v in self.headers if k.lower() == "set-cookie"]

    def json(self):
        import json
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class AdminLab:
    def __init__(self, build, pki, root=None, session_minutes=30, login_attempts=5, https=False):
        self.build, self.pki = build, pki
        self.segel = os.path.join(build, "directory", "segel")
        self.admin = os.path.join(build, "directory", "segel-admin")
        self.own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix="segel-web-")
        self.port = free_port()
        self.session_minutes, self.login_attempts = session_minutes, login_attempts
        self.https = https
        self.process = None

    @property
    def config(self):
        return os.path.join(self.root, "segel.conf")

    def segel_cmd(self, *args, check=True):
        result = subprocess.run([self.segel, *args, "--config", self.config], capture_output=True, text=True)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def web_settings(self):
        settings = ("\n[web]\nlisten = 127.0.0.1:%d\naccounts = %s/admin-accounts\nsession_minutes = %d\n"
                    "login_attempts = %d\nlanguage = id\n" % (self.port, self.root, self.session_minutes,
                                                              self.login_attempts))
        if self.https:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", self.root + "/web.key", "-out", self.root + "/web.pem"],
                           check=True, capture_output=True)
            settings += "certificate = %s/web.pem\nkey = %s/web.key\n" % (self.root, self.root)
        return settings

    def make_directory(self):
        with open(self.config, "w") as f:
            f.write("[directory]\ndatabase = %s/db/directory.sqlite\nmaster_key = %s/master.key\n"
                    "domain = tangerangkota.go.id\n[crl]\nissuer = %s/issuing.pem\n" % (self.root, self.root, self.pki))
        self.segel_cmd("directory", "init")
        for user in USERS:
            self.segel_cmd("directory", "import", "--passphrase-file", os.path.join(self.pki, "p12-passphrase"),
                           os.path.join(self.pki, user + ".p12"))

    def make_accounts(self):
        with open(self.config, "a") as f:
            f.write(self.web_settings())
        secret = os.path.join(self.root, "password")
        with open(secret, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(secret, 0o600)
        for login, role in ACCOUNTS.items():
            self.segel_cmd("account", "add", login, "--role", role, "--password-file", secret)

    def start(self):
        if self.own_root:
            self.make_directory()
        self.make_accounts()
        self.log = open(os.path.join(self.root, "segel-admin.log"), "w")
        self.process = subprocess.Popen([self.admin, "--config", self.config], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("segel-admin exited: " + self.output())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("segel-admin did not listen")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process:
            self.log.close()
        if self.own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def output(self):
        with open(os.path.join(self.root, "segel-admin.log")) as f:
            return f.read()

    # -- HTTP ------------------------------------------------------------------
    def request(self, method, path, fields=None, cookie=None, csrf=None, body=None, content_type=None):
        if self.https:
            context = ssl.create_default_context(cafile=self.root + "/web.pem")
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=context)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {}
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            headers["Content-Type"] = content_type
        if cookie:
            headers["Cookie"] = "segel_session=" + cookie
        if csrf:
            headers["X-CSRF-Token"] = csrf
        connection.request(method, path, body=body, headers=headers)
        answer = Answer(connection.getresponse())
        connection.close()
        return answer

    def login(self, login, password=PASSWORD):
        """(session cookie value, csrf token) of a fresh login; asserts it worked."""
        answer = self.request("POST", "/api/login", {"login": login, "password": password})
        assert answer.status == 200, answer.text
        cookie = [c for c in answer.cookies() if c.startswith("segel_session=")][0]
        return cookie.split(";")[0].split("=", 1)[1], answer.json()["csrf"]

    def multipart(self, path, fields, files, cookie, csrf=None):
        boundary = "segelboundary7e3f"
        parts = []
        for name, value in fields.items():
            parts.append('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, name, value))
        for name, (filename, content) in files.items():
            parts.append('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                         'Content-Type: text/csv\r\n\r\n%s\r\n' % (boundary, name, filename, content))
        body = ("".join(parts) + "--%s--\r\n" % boundary).encode()
        return self.request("POST", path, cookie=cookie, csrf=csrf, body=body,
                            content_type="multipart/form-data; boundary=" + boundary)

    def fingerprint_of(self, user):
        listed = self.segel_cmd("directory", "search", user + "@", "--json")
        import json
        records = [r for r in json.loads(listed.stdout) if r["owner"].startswith(user + "@")]
        return records[0]["fingerprint"], records[0]["serial"]
