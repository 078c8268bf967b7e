package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// TestDKIMKeygenAndSigning makes a key with dkim keygen, configures it, and
// checks the preflight of send --dry-run and the signatures of what send
// delivers, with the DNS record keygen printed.
func TestDKIMKeygenAndSigning(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	key := c.path("lvm.pem")
	out := c.ok("dkim", "keygen", "--domain", "mailtest.example.org", "--selector", "lvm2026", "--out", key)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	m := regexp.MustCompile(`name:  (\S+)\n  value: (v=DKIM1; k=rsa; p=\S+)\n`).FindStringSubmatch(out)
	if m == nil || m[1] != "lvm2026._domainkey.mailtest.example.org" {
		t.Fatalf("keygen printed no TXT record for lvm2026._domainkey.mailtest.example.org:\n%s", out)
	}
	if strings.Contains(out, "PRIVATE KEY") {
		t.Error("keygen printed the private key")
	}
	if errOut := c.fails(1, "dkim", "keygen", "--domain", "example.com", "--selector", "lvm2026", "--out", key); !strings.Contains(errOut, "already exists") {
		t.Errorf("a second keygen to the same file: %q", errOut)
	}
	c.fails(2, "dkim", "keygen", "--domain", "example.com")

	base := mustRead(t, c.path("lvm-mail.toml"))
	configure := func(domain string) {
		c.write("lvm-mail.toml", base+"\n[smtp.dkim]\ndomain = \""+domain+"\"\nselector = \"lvm2026\"\nkey_file = \""+key+"\"\n")
	}
	c.invite(2)

	configure("other.example.net")
	if errOut := c.fails(1, "send", "--campaign", "big", "--dry-run"); !strings.Contains(errOut, "DMARC alignment would fail") {
		t.Errorf("a signing domain that does not match smtp.from: %q", errOut)
	}
	configure("mailtest.example.org")
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	if errOut := c.fails(1, "send", "--campaign", "big", "--dry-run"); !strings.Contains(errOut, "chmod 600 "+key) {
		t.Errorf("a key others can read: %q", errOut)
	}
	if errOut := c.fails(1, "send", "--campaign", "big"); !strings.Contains(errOut, "chmod 600") || srv.Count() != 0 {
		t.Errorf("send with a key others can read: sent %d (%q)", srv.Count(), errOut)
	}
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := c.ok("send", "--campaign", "big", "--dry-run"); !strings.Contains(out, "DKIM: every message is signed (d=mailtest.example.org s=lvm2026 rsa-2048)") {
		t.Errorf("the dry run does not say how messages are signed:\n%s", out)
	}

	c.ok("send", "--campaign", "big")
	if srv.Count() != 2 {
		t.Fatalf("sent %d messages, want 2", srv.Count())
	}
	for _, msg := range srv.Messages() {
		if _, err := testtool.VerifyDKIM(msg.Data, map[string]string{m[1]: m[2]}); err != nil {
			t.Errorf("the message to %v does not verify with the record keygen printed: %v", msg.To, err)
		}
	}
}
