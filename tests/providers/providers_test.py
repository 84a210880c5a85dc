#!/usr/bin/env python3
"""Tests of providers/import, providers/check and providers/check.py (offline).

    python3 tests/providers/providers_test.py [-v] [TestClass]
UPDATE_GOLDEN=1 rewrites tests/providers/golden/ from the small fixture.
Python 3 standard library only.
"""

import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("MAILSCOUT_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
PROVIDERS = os.path.join(SOURCE, "providers")
IMPORT = os.path.join(PROVIDERS, "import")
CHECK = os.path.join(PROVIDERS, "check")
ISPDB = os.path.join(SOURCE, "tests", "data", "ispdb")
GOLDEN = os.path.join(HERE, "golden")
TEST_OVERLAYS = os.path.join(HERE, "overlays")
# The small fixture: one file with an <oAuth2> (aol.com), one with %EMAILDOMAIN%
# host names (inbox.lv), one listing a domain twice (cty-net.ne.jp).
SMALL = ("aol.com.xml", "inbox.lv.xml", "cty-net.ne.jp.xml")


def run(*argv):
    return subprocess.run([sys.executable] + list(argv), capture_output=True, text=True, timeout=120)


def xml_files(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".xml"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mailscout-providers-")
        self.addCleanup(shutil.rmtree, self.tmp)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def small_ispdb(self):
        folder = self.path("ispdb")
        os.makedirs(folder, exist_ok=True)
        for f in SMALL:
            shutil.copy(os.path.join(ISPDB, f), folder)
        return folder

    def copy_overlays(self):
        folder = self.path("overlays")
        shutil.copytree(TEST_OVERLAYS, folder)
        return folder

    def do_import(self, ispdb, overlays, out, ok=True):
        res = run(IMPORT, ispdb, "--overlays", overlays, "--out", out)
        if ok:
            self.assertEqual(res.returncode, 0, res.stderr)
        return res


class GoldenTest(Tmp):
    def test_small_fixture_matches_golden(self):
        out = self.path("out")
        self.do_import(self.small_ispdb(), TEST_OVERLAYS, out)
        if os.environ.get("UPDATE_GOLDEN"):
            shutil.rmtree(GOLDEN, ignore_errors=True)
            os.makedirs(GOLDEN)
            for f in xml_files(out):
                shutil.copy(os.path.join(out, f), GOLDEN)
        self.assertEqual(xml_files(out), xml_files(GOLDEN))
        for f in xml_files(GOLDEN):
            self.assertEqual(read(os.path.join(out, f)).decode(), read(os.path.join(GOLDEN, f)).decode(), f)

    def test_golden_content(self):
        aol = read(os.path.join(GOLDEN, "aol.com.xml")).decode()
        self.assertIn("<loginPolicy>app-password</loginPolicy>", aol)
        self.assertIn('<scope protocol="imap">mail-w</scope>', aol)
        self.assertIn("<tokenURL>https://api.login.aol.com/oauth2/get_token</tokenURL>", aol)
        self.assertIn("A test note that must reach the generated file.", aol)
        self.assertNotIn("source=", aol)
        self.assertIn("<hostname>mail.%EMAILDOMAIN%</hostname>",
                      read(os.path.join(GOLDEN, "inbox.lv.xml")).decode())
        cty = read(os.path.join(GOLDEN, "cty-net.ne.jp.xml")).decode()
        self.assertEqual(cty.count("<domain>cty-net.ne.jp</domain>"), 1)
        self.assertIn("<domain>example-mail.net</domain>",
                      read(os.path.join(GOLDEN, "example-mail.org.xml")).decode())


class FullFixtureTest(Tmp):
    def test_import_gives_committed_providers(self):
        """A hand edit of providers/*.xml or a stale import fails here."""
        out = self.path("out")
        self.do_import(ISPDB, os.path.join(PROVIDERS, "overlays"), out)
        self.assertEqual(xml_files(out), xml_files(PROVIDERS))
        _, mismatch, errors = filecmp.cmpfiles(out, PROVIDERS, xml_files(out), shallow=False)
        self.assertEqual(mismatch + errors, [], "re-run providers/import tests/data/ispdb")

    def test_every_ispdb_domain_is_bundled_as_the_ispdb_has_it(self):
        res = run(CHECK, ISPDB, "--bundled", PROVIDERS)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def test_check_py_validates_providers(self):
        res = run(os.path.join(PROVIDERS, "check.py"), PROVIDERS)
        self.assertEqual(res.returncode, 0, res.stdout)


class ImportTest(Tmp):
    def test_twice_gives_the_same_bytes(self):
        ispdb, out = self.small_ispdb(), self.path("out")
        self.do_import(ispdb, TEST_OVERLAYS, out)
        first = {f: read(os.path.join(out, f)) for f in xml_files(out)}
        res = self.do_import(ispdb, TEST_OVERLAYS, out)
        self.assertIn("0 written, 0 removed", res.stdout)
        self.assertEqual({f: read(os.path.join(out, f)) for f in xml_files(out)}, first)

    def test_overlay_survives_reimport(self):
        ispdb, overlays, out = self.small_ispdb(), self.copy_overlays(), self.path("out")
        before = {f: read(os.path.join(overlays, f)) for f in xml_files(overlays)}
        self.do_import(ispdb, overlays, out)
        # The ISPDB moves on; the overlay's facts stay, the servers follow the ISPDB.
        aol = os.path.join(ispdb, "aol.com.xml")
        with open(aol) as f:
            text = f.read().replace("imap.aol.com", "imap2.aol.com")
        with open(aol, "w") as f:
            f.write(text)
        self.do_import(ispdb, overlays, out)
        got = read(os.path.join(out, "aol.com.xml")).decode()
        self.assertIn("imap2.aol.com", got)
        self.assertIn("<loginPolicy>app-password</loginPolicy>", got)
        self.assertIn("<domain>love.com</domain>", got)
        self.assertEqual({f: read(os.path.join(overlays, f)) for f in xml_files(overlays)}, before)

    def test_fact_without_source_is_rejected(self):
        overlays = self.copy_overlays()
        with open(os.path.join(overlays, "inbox.lv.xml"), "w") as f:
            f.write('<overlay><note source="https://help.inbox.lv/">ok</note>'
                    "<loginPolicy>app-password</loginPolicy></overlay>")
        res = self.do_import(self.small_ispdb(), overlays, self.path("out"), ok=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("overlays/inbox.lv.xml: <loginPolicy> names no source", res.stderr)
        self.assertFalse(os.path.exists(self.path("out", "aol.com.xml")))

    def test_domain_of_two_providers_needs_an_overlay_to_decide(self):
        ispdb = self.small_ispdb()
        with open(os.path.join(ispdb, "inbox.lv.xml")) as f:
            text = f.read()
        with open(os.path.join(ispdb, "inbox.lv.xml"), "w") as f:
            f.write(text.replace("<domain>inbox.lv</domain>", "<domain>inbox.lv</domain><domain>aim.com</domain>"))
        res = self.do_import(ispdb, TEST_OVERLAYS, self.path("out"), ok=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("domain aim.com is claimed by aol.com.xml, inbox.lv.xml", res.stderr)
        overlays = self.copy_overlays()
        with open(os.path.join(overlays, "aol.com.xml")) as f:
            text = f.read()
        with open(os.path.join(overlays, "aol.com.xml"), "w") as f:
            f.write(text.replace("</overlay>", '<keepDomain source="https://example.org/x">aim.com</keepDomain></overlay>'))
        self.do_import(ispdb, overlays, self.path("out"))
        self.assertIn("<domain>aim.com</domain>", read(self.path("out", "aol.com.xml")).decode())
        self.assertNotIn("<domain>aim.com</domain>", read(self.path("out", "inbox.lv.xml")).decode())

    def test_only_generated_files_are_deleted_or_overwritten(self):
        ispdb, out = self.small_ispdb(), self.path("out")
        self.do_import(ispdb, TEST_OVERLAYS, out)
        os.remove(os.path.join(ispdb, "cty-net.ne.jp.xml"))
        with open(os.path.join(out, "hand.example.xml"), "w") as f:
            f.write("<clientConfig/>")
        res = self.do_import(ispdb, TEST_OVERLAYS, out)
        self.assertFalse(os.path.exists(os.path.join(out, "cty-net.ne.jp.xml")))
        self.assertTrue(os.path.exists(os.path.join(out, "hand.example.xml")))
        self.assertIn("hand.example.xml is hand-written", res.stderr)
        with open(os.path.join(out, "aol.com.xml"), "w") as f:
            f.write("<clientConfig/>")
        res = self.do_import(ispdb, TEST_OVERLAYS, out, ok=False)
        self.assertEqual(res.returncode, 2)
        self.assertIn("will not overwrite: aol.com.xml", res.stderr)

    def test_checkout_root_or_ispdb_folder(self):
        root = self.path("checkout")
        os.makedirs(root)
        shutil.copytree(self.small_ispdb(), os.path.join(root, "ispdb"))
        self.do_import(root, TEST_OVERLAYS, self.path("a"))
        self.do_import(os.path.join(root, "ispdb"), TEST_OVERLAYS, self.path("b"))
        self.assertEqual(filecmp.dircmp(self.path("a"), self.path("b")).diff_files, [])


class DriftTest(Tmp):
    def test_doctored_copy_reports_exactly_the_changes(self):
        doc = self.path("ispdb")
        shutil.copytree(ISPDB, doc)

        def edit(name, old, new):
            p = os.path.join(doc, name)
            with open(p) as f:
                text = f.read()
            self.assertIn(old, text)
            with open(p, "w") as f:
                f.write(text.replace(old, new, 1))

        edit("vodafonemail.de.xml", "<hostname>imap.vodafonemail.de</hostname>",
             "<hostname>imap2.vodafonemail.de</hostname>")
        edit("hotmail.com.xml", "<domain>live.com</domain>\n", "")
        edit("gmx.net.xml", "</incomingServer>", "</incomingServer>\n<incomingServer type=\"pop3\">"
             "<hostname>pop3.gmx.net</hostname><port>110</port><socketType>STARTTLS</socketType>"
             "<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>"
             "</incomingServer>")
        shutil.copy(os.path.join(doc, "inbox.lv.xml"), os.path.join(doc, "new.example.xml"))
        res = run(CHECK, doc, "--bundled", PROVIDERS, "--json")
        self.assertEqual(res.returncode, 1, res.stderr)
        got = sorted((d["file"], d["kind"]) for d in json.loads(res.stdout)["drift"])
        self.assertEqual(got, [("gmx.net.xml", "server-added"), ("hotmail.com.xml", "domain-removed"),
                               ("new.example.xml", "file-new"), ("vodafonemail.de.xml", "server-changed")])
        text = run(CHECK, doc, "--bundled", PROVIDERS).stdout
        self.assertIn("vodafonemail.de.xml: server changed: imap imap.vodafonemail.de:993 SSL", text)
        self.assertIn("hostname imap.vodafonemail.de -> imap2.vodafonemail.de", text)
        self.assertIn("hotmail.com.xml: domain removed from the ISPDB: live.com", text)
        self.assertIn("gmx.net.xml: server added in the ISPDB: pop3 pop3.gmx.net:110 STARTTLS", text)

    def test_bad_input(self):
        self.assertEqual(run(CHECK, self.tmp).returncode, 2)
        self.assertEqual(run(CHECK, ISPDB, "--probe").returncode, 2)


if __name__ == "__main__":
    unittest.main()
