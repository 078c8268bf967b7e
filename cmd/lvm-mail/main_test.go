package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shell runs lvm-mail in dir with args and returns stdout, stderr and the exit
// code, as a user at a terminal would see them.
type shell struct {
	t   *testing.T
	dir string
	env map[string]string

	surveyURL string // where newMailShell's survey answers, on this shell's database
}

func newShell(t *testing.T) *shell {
	t.Helper()
	return &shell{t: t, dir: t.TempDir(), env: map[string]string{}}
}

func (c *shell) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	full := append([]string{"lvm-mail", "--config", c.path("lvm-mail.toml")}, args...)
	if _, err := os.Stat(c.path("lvm-mail.toml")); errors.Is(err, os.ErrNotExist) {
		full = append([]string{"lvm-mail", "--db", c.path("lvm-mail.db")}, args...)
	}
	err := run(context.Background(), full, func(k string) string { return c.env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), exitCode(err)
}

// ok runs args and fails the test unless they succeed.
func (c *shell) ok(args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("lvm-mail %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// fails runs args, wants the exit code, and returns stderr.
func (c *shell) fails(code int, args ...string) string {
	c.t.Helper()
	out, errOut, got := c.run(args...)
	if got != code {
		c.t.Fatalf("lvm-mail %s: got exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, out, errOut)
	}
	return errOut
}

func (c *shell) path(name string) string { return filepath.Join(c.dir, name) }

func (c *shell) write(name, text string) string {
	c.t.Helper()
	p := c.path(name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// status returns status --json of a campaign.
func (c *shell) status(camp string) map[string]any {
	c.t.Helper()
	var st map[string]any
	if err := json.Unmarshal([]byte(c.ok("status", "--campaign", camp, "--json")), &st); err != nil {
		c.t.Fatal(err)
	}
	return st
}

func TestHelpForEveryCommand(t *testing.T) {
	c := newShell(t)
	for _, args := range [][]string{
		{"--help"}, {"staff", "--help"}, {"staff", "import", "--help"}, {"staff", "list", "--help"},
		{"campaign", "--help"}, {"campaign", "create", "--help"}, {"campaign", "list", "--help"},
		{"campaign", "close", "--help"}, {"status", "--help"}, {"bounces", "--help"}, {"dkim", "--help"},
		{"dkim", "keygen", "--help"},
	} {
		out := c.ok(args...)
		if !strings.Contains(out, "USAGE") {
			t.Errorf("lvm-mail %s: no usage in\n%s", strings.Join(args, " "), out)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	c := newShell(t)
	for _, args := range [][]string{
		{"frobnicate"},
		{"--nope"},
		{"status", "--bogus"},
		{"status"},
		{"send"},
		{"remind"},
		{"preview"},
		{"report"},
		{"campaign", "create"},
		{"campaign", "create", "--name", "X", "--closes", "next week"},
		{"campaign", "create", "--name", "X", "--where", "department"},
		{"campaign", "close"},
		{"staff", "import"},
		{"dkim", "keygen"},
		{"bounces", "now"},
	} {
		errOut := c.fails(2, args...)
		if !strings.HasPrefix(errOut, "lvm-mail: ") {
			t.Errorf("lvm-mail %s: stderr %q does not say what was wrong", strings.Join(args, " "), errOut)
		}
	}
	if _, err := os.Stat(c.path("lvm-mail.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a mistyped command created the database (%v): usage errors must change nothing", err)
	}
}

func TestBadConfigExit1(t *testing.T) {
	c := newShell(t)
	c.write("lvm-mail.toml", "[smtp]\nhots = \"x\"\n")
	errOut := c.fails(1, "campaign", "list")
	if !strings.Contains(errOut, "unknown key smtp.hots") || !strings.Contains(errOut, "lvm-mail.toml") {
		t.Errorf("got %q, want the unknown key and the file named", errOut)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func removeFile(path string) error { return os.Remove(path) }
