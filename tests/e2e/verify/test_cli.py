#!/usr/bin/python3
"""End-to-end tests of `mailscout test` (the binary) inside the fake Internet.

Run by ctest through world.py with scenarios basic, security, faults, certs and
tester-mechs; $MAILSCOUT is the binary. Checks exit statuses (0 pass, 1 failed
check, 2 usage), text and JSON output (docs/json.md section "check"), the
password sources, that the password never shows in any output, and that a
tarpit or dropped SYN costs no more than --timeout.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

MAILSCOUT = os.environ.get("MAILSCOUT", "mailscout")
LOGS = os.environ.get("WORLD_LOGS", "")
CHECK_KEYS = {"protocol", "host", "port", "security", "username", "ok", "error", "tls",
              "capabilities", "auth_mechanisms", "auth_used", "ms"}
KINDS = {"dns", "refused", "timeout", "tls", "certificate", "starttls-missing", "auth",
         "auth-mechanism", "cleartext-refused", "protocol"}


def run(*args, password=None, stdin=None, env_extra=None, timeout=30):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAILSCOUT_PASSWORD", "MAILSCOUT_OAUTH_TOKEN")}
    if password is not None:
        env["MAILSCOUT_PASSWORD"] = password
    # Each check its own ledger of failed logins (e2e_policy tests the ledger).
    env["MAILSCOUT_STATE_DIR"] = tempfile.mkdtemp(prefix="mailscout-state-")
    env.update(env_extra or {})
    start = time.monotonic()
    p = subprocess.run([MAILSCOUT, "test", *args], input=stdin, capture_output=True, text=True,
                       env=env, timeout=timeout)
    p.elapsed = time.monotonic() - start
    return p


def run_json(*args, **kw):
    p = run(*args, "--format", "json", **kw)
    try:
        p.json = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON ({e}): {p.stdout!r} {p.stderr!r}")
    return p


def dovecot_log(server):
    with open(os.path.join(LOGS, server + ".log")) as f:
        return f.read()


class Usage(unittest.TestCase):
    def expect_usage(self, *args, words, **kw):
        p = run(*args, **kw)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(words, p.stderr)
        self.assertEqual(p.stdout, "")

    def test_bad_usage_is_exit_2_with_a_clear_message(self):
        self.expect_usage("--host", "mail.basic.example", words="--protocol is required")
        self.expect_usage("--protocol", "imap", words="--host is required")
        self.expect_usage("--protocol", "gopher", "--host", "x.example", words="unknown protocol")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--security", "ssl",
                          words="unknown security")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--port", "70000",
                          words="--port must be")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--port", "993",
                          "--security", "all", words="cannot be combined")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--format", "xml",
                          words="--format must be")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--timeout", "soon",
                          words="--timeout must be")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--frobnicate",
                          words="unknown option")
        self.expect_usage("--protocol", "imap", "--host", "bad..name", words="--host")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--user", "a",
                          "--password-file", "/nonexistent/pw", words="cannot read")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--ca-file",
                          "/nonexistent.pem", words="/nonexistent.pem")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--dns-server", "not an ip",
                          words="not an ip")
        self.expect_usage("--protocol", "imap", "--host", "x.example", "--password-stdin",
                          words="needs --user")

    def test_help_documents_options_and_exit_codes(self):
        p = subprocess.run([MAILSCOUT, "test", "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for word in ("--protocol", "--security", "--transcript", "--allow-plaintext",
                     "--insecure-tls", "--password-file", "MAILSCOUT_PASSWORD", "Exit status"):
            self.assertIn(word, p.stdout)


class Login(unittest.TestCase):
    def test_imap_tls_login_text(self):
        p = run("--protocol", "imap", "--host", "mail.basic.example", "--user",
                "alice@basic.example", password="alicepw")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        first = p.stdout.splitlines()[0]
        self.assertTrue(first.startswith("[PASS] IMAP mail.basic.example:993 SSL/TLS"), first)
        self.assertIn("logged in with PLAIN", first)
        self.assertIn("chain: trusted; name: matches", p.stdout)
        self.assertIn("timings", p.stdout)

    def test_json_schema(self):
        p = run_json("--protocol", "smtp", "--host", "mail.basic.example", "--security", "starttls",
                     "--user", "alice@basic.example", password="alicepw")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        c = p.json
        self.assertLessEqual(CHECK_KEYS, set(c))
        self.assertEqual((c["protocol"], c["host"], c["port"], c["security"]),
                         ("smtp", "mail.basic.example", 587, "starttls"))
        self.assertTrue(c["ok"])
        self.assertIsNone(c["error"])
        self.assertEqual(c["tls"]["certificate"]["sans"], ["mail.basic.example"])
        self.assertTrue(c["tls"]["chain_ok"] and c["tls"]["name_ok"])
        self.assertIn("PLAIN", c["auth_mechanisms"])
        self.assertEqual(c["auth_used"], "PLAIN")
        for phase in ("resolve", "connect", "greeting", "starttls", "tls", "auth"):
            self.assertIn(phase, c["timings"])
        self.assertIsInstance(c["ms"], int)

    def test_password_file_and_stdin(self):
        with tempfile.NamedTemporaryFile("w", suffix=".pw") as f:
            f.write("bobpw\n")
            f.flush()
            p = run("--protocol", "pop3", "--host", "mail.basic.example", "--user", "bob",
                    "--password-file", f.name)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = run("--protocol", "pop3", "--host", "mail.basic.example", "--security", "starttls",
                "--user", "bob", "--password-stdin", stdin="bobpw\n")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_no_password_checks_up_to_login(self):
        p = run_json("--protocol", "imap", "--host", "mail.basic.example", "--user",
                     "alice@basic.example", "--no-prompt", stdin="")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.json["ok"])
        self.assertFalse(p.json["login_attempted"])
        self.assertIsNone(p.json["auth_used"])

    def test_scram_is_preferred_when_offered(self):
        p = run_json("--protocol", "imap", "--host", "mail.mechs.tester.example", "--user",
                     "carol@mechs.tester.example", password="carol-Pw-7")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.json["auth_used"], "SCRAM-SHA-256")

    def test_security_all_runs_each_pair(self):
        p = run_json("--protocol", "imap", "--host", "mail.basic.example", "--security", "all",
                     "--user", "alice@basic.example", password="alicepw")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        pairs = [(c["port"], c["security"]) for c in p.json["checks"]]
        self.assertEqual(pairs, [(993, "tls"), (143, "starttls")])  # plain skipped: a password
        p = run_json("--protocol", "pop3", "--host", "mail.basic.example", "--security", "all",
                     "--user", "bob", "--allow-plaintext", password="bobpw")
        self.assertEqual(p.returncode, 1)  # plain: Dovecot says LOGINDISABLED without TLS
        kinds = [c["error"]["kind"] if c["error"] else None for c in p.json["checks"]]
        self.assertEqual(kinds, [None, None, "auth-mechanism"])
        self.assertFalse(p.json["ok"])


class Failures(unittest.TestCase):
    def check_fails(self, *args, kind, phase=None, password="pw", **kw):
        p = run_json(*args, password=password, **kw)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        err = p.json["error"]
        self.assertIsNotNone(err)
        self.assertEqual(err["kind"], kind, err)
        self.assertIn(err["kind"], KINDS)
        if phase:
            self.assertEqual(err["phase"], phase, err)
        self.assertTrue(err["message"])
        return p

    def test_wrong_password(self):
        p = self.check_fails("--protocol", "imap", "--host", "mail.basic.example", "--user",
                             "alice@basic.example", kind="auth", password="Wr0ng-pw!")
        self.assertEqual(p.json["error"]["message"],
                         "The server rejected the password for alice@basic.example (IMAP says: "
                         "[AUTHENTICATIONFAILED] Authentication failed.)")
        self.assertNotIn("Wr0ng-pw!", p.stdout + p.stderr)

    def test_every_network_failure_kind(self):
        self.check_fails("--protocol", "imap", "--host", "nxdomain.faults.example", kind="dns")
        self.check_fails("--protocol", "imap", "--host", "refused.faults.example", kind="refused")
        self.check_fails("--protocol", "imap", "--host", "wrongname.certs.example",
                         kind="certificate")
        self.check_fails("--protocol", "imap", "--host", "mail.basic.example", "--port", "143",
                         kind="tls")
        self.check_fails("--protocol", "imap", "--host", "mail.cleartext.example", "--security",
                         "starttls", kind="starttls-missing")

    def test_tarpit_and_dropped_syn_cost_no_more_than_the_timeout(self):
        for host, proto, phase in (("tarpit.faults.example", "imap", "tls"),
                                   ("dropped.faults.example", "smtp", "connect")):
            p = self.check_fails("--protocol", proto, "--host", host, "--timeout", "2",
                                 kind="timeout", phase=phase)
            self.assertLess(p.elapsed, 3.0, host)
            # The message names the time the phase had: the 2 s budget less
            # what earlier phases used (more of it in a sanitizer build).
            self.assertRegex(p.json["error"]["message"], r"within (2|1\.\d) s")

    def test_cleartext_refused_and_dovecot_saw_no_password(self):
        p = self.check_fails("--protocol", "imap", "--host", "nosend.tester.example", "--security",
                             "plain", "--user", "erin@tester.example", kind="cleartext-refused",
                             password="never-Sent-9")
        self.assertIn("--allow-plaintext", p.json["error"]["message"])
        self.assertIn("AUTH=PLAIN", p.json["capabilities"])
        log = dovecot_log("nosend.tester.example")
        self.assertIn("no auth attempts", log)
        self.assertNotIn("client in: AUTH", log)
        self.assertNotIn("never-Sent-9", log)

    def test_allow_plaintext(self):
        p = run_json("--protocol", "smtp", "--host", "mail.cleartext.example", "--security",
                     "plain", "--user", "user@cleartext.example", "--allow-plaintext",
                     password="cleartextpw")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIsNone(p.json["tls"])

    def test_insecure_tls_goes_on_and_warns(self):
        p = run_json("--protocol", "imap", "--host", "selfsigned.certs.example", "--user",
                     "user@certs.example", "--insecure-tls", password="certspw")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertFalse(p.json["tls"]["chain_ok"])
        self.assertIn("self-signed", p.json["warnings"][0])

    def test_oauth_token_without_oauth_server(self):
        p = run_json("--protocol", "imap", "--host", "mail.basic.example", "--user",
                     "alice@basic.example", "--no-prompt", stdin="",
                     env_extra={"MAILSCOUT_OAUTH_TOKEN": "ya29.e2e-token"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.json["error"]["kind"], "auth-mechanism")
        self.assertIn("OAuth", p.json["error"]["message"])
        self.assertNotIn("ya29.e2e-token", p.stdout + p.stderr)


class Trust(unittest.TestCase):
    """The world CA sits in the bundle and, as a hash link, in the certificate
    directory (as update-ca-certificates leaves a local CA). mailscout looks
    issuers up in the directory first and parses the bundle only when that
    finds a problem: either place alone must be enough, and the verdict on a
    bad certificate must not depend on which place answered."""

    def login(self, *extra, host="mail.basic.example", user="alice@basic.example",
              password="alicepw", **env):
        return run_json("--protocol", "imap", "--host", host, "--user", user, *extra,
                        password=password, env_extra=env)

    def assert_trusted(self, p):
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.json["tls"]["chain_ok"], p.json["tls"])

    def test_hashed_directory_alone(self):
        self.assert_trusted(self.login(SSL_CERT_FILE="/dev/null"))

    def test_bundle_alone(self):
        with tempfile.TemporaryDirectory() as empty:
            self.assert_trusted(self.login(SSL_CERT_DIR=empty))

    def test_neither_is_untrusted_and_ca_file_fixes_it(self):
        with tempfile.TemporaryDirectory() as empty:
            env = {"SSL_CERT_FILE": "/dev/null", "SSL_CERT_DIR": empty}
            p = self.login(**env)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertEqual(p.json["error"]["kind"], "certificate")
            self.assertIn("does not trust", p.json["error"]["message"])
            self.assert_trusted(self.login("--ca-file", os.environ["WORLD_CA"], **env))

    def test_expired_is_expired_whichever_store_answers(self):
        with tempfile.TemporaryDirectory() as empty:
            for env in ({}, {"SSL_CERT_DIR": empty}, {"SSL_CERT_FILE": "/dev/null"}):
                p = self.login(host="expired.certs.example", user="user@certs.example",
                               password="certspw", **env)
                self.assertEqual(p.returncode, 1, (env, p.stdout + p.stderr))
                self.assertEqual(p.json["error"]["kind"], "certificate", env)
                self.assertIn("expired", p.json["error"]["message"], env)
                self.assertNotIn("does not trust", p.json["error"]["message"], env)


class Secrets(unittest.TestCase):
    SECRET = "alicepw"

    def test_transcript_hides_credentials_in_text_and_json(self):
        for fmt in ("text", "json"):
            for proto, sec in (("imap", "tls"), ("pop3", "starttls"), ("smtp", "tls")):
                p = run("--protocol", proto, "--host", "mail.basic.example", "--security", sec,
                        "--user", "alice@basic.example", "--transcript", "--format", fmt,
                        password=self.SECRET)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                out = p.stdout + p.stderr
                self.assertIn("***", out)
                self.assertNotIn(self.SECRET, out)
                # Nor the PLAIN message in base64.
                import base64
                plain = base64.b64encode(b"\0alice@basic.example\0" + self.SECRET.encode())
                self.assertNotIn(plain.decode(), out)

    def test_password_file_content_never_echoed_on_failure(self):
        p = run("--protocol", "pop3", "--host", "mail.basic.example", "--user",
                "alice@basic.example", "--transcript", password="S3cret-Wrong-1")
        self.assertEqual(p.returncode, 1)
        self.assertNotIn("S3cret-Wrong-1", p.stdout + p.stderr)


class Dns(unittest.TestCase):
    def test_explicit_dns_server(self):
        p = run("--protocol", "imap", "--host", "mail.basic.example", "--dns-server", "127.0.0.1")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = run_json("--protocol", "imap", "--host", "mail.basic.example", "--dns-server",
                     "127.0.0.9:53", "--timeout", "2")
        self.assertEqual(p.returncode, 1)
        self.assertIn(p.json["error"]["kind"], ("timeout", "dns"))
        self.assertLess(p.elapsed, 3.5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
