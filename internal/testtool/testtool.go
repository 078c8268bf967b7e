// Package testtool finds the external programs some tests need (Chromium,
// Mailpit, LibreOffice, SpamAssassin, Dovecot) and axe-core, the
// accessibility checker. A missing one skips the test with a message saying
// how to install it, unless LVM_MAIL_REQUIRE_TOOLS is set, as .ci/run sets
// it: then it fails the test, so that CI never passes by skipping. A
// package whose TestMain calls Main also says so on the terminal after its
// tests, where 'go test ./...' shows it without -v.
package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireEnv names the variable that turns a missing program into a failure.
const RequireEnv = "LVM_MAIL_REQUIRE_TOOLS"

// Find returns the path of the program name, looked up on PATH and then at
// each of paths (relative ones from the test's folder). When it is absent
// the test is skipped, or failed under RequireEnv, with a message that says
// how to install it.
func Find(t testing.TB, name, install string, paths ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
			return abs
		}
	}
	missing(t, name, install)
	return ""
}

// missing skips the test for want of the program name, saying how to
// install it, or fails it under RequireEnv. Main reports the skip.
func missing(t testing.TB, name, install string) {
	t.Helper()
	msg := name + " is not installed, so this test cannot run; install it with: " + install
	if os.Getenv(RequireEnv) != "" {
		t.Fatal(msg + " (" + RequireEnv + " is set)")
	}
	skipped.add(name, install)
	t.Skip(msg)
}

// AxeCoreEnv names the variable that may give the path of axe-core's
// axe.min.js.
const AxeCoreEnv = "LVM_MAIL_AXE_CORE"

// AxeCore returns the path of axe-core's axe.min.js, the accessibility
// checker the browser tests inject into the survey page: from
// LVM_MAIL_AXE_CORE, or where .ci/run installs it, .bin/node_modules in
// the repository.
func AxeCore(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(AxeCoreEnv); p != "" {
		return p
	}
	const install = "npm install --prefix .bin axe-core@4.14.1 (in the repository), or set " + AxeCoreEnv
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, ".bin", "node_modules", "axe-core", "axe.min.js")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	missing(t, "axe-core", install)
	return ""
}

// Chromium returns Debian's Chromium.
func Chromium(t testing.TB) string {
	t.Helper()
	return Find(t, "chromium", "apt-get install -y chromium", "/usr/bin/chromium")
}

// SpamAssassin returns Debian's spamassassin, which scores a message with
// its offline rules (spamassassin -L -t).
func SpamAssassin(t testing.TB) string {
	t.Helper()
	return Find(t, "spamassassin", "apt-get install -y spamassassin", "/usr/bin/spamassassin")
}

// DovecotBinary returns Debian's Dovecot, the IMAP server the bounce tests read
// from. It is in /usr/sbin, which is not on every PATH.
func DovecotBinary(t testing.TB) string {
	t.Helper()
	return Find(t, "dovecot", "apt-get install -y dovecot-imapd", "/usr/sbin/dovecot")
}
