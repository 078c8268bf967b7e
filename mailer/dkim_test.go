package mailer_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
	"github.com/lvm-mail/lvm-mail/templates"
)

// writeKey writes a PEM private key with mode perm and returns its path.
func writeKey(t testing.TB, key any, perm os.FileMode) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // whatever the umask
		t.Fatal(err)
	}
	return path
}

// testDKIM loads a new key of the kind ("rsa" or "ed25519") for example.com.
func testDKIM(t testing.TB, kind string) *mailer.DKIM {
	t.Helper()
	var key any
	switch kind {
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	default:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	d, err := mailer.LoadDKIM("example.com", "lvm", writeKey(t, key, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func dkimComposer(t *testing.T, d *mailer.DKIM, now func() time.Time) *mailer.Composer {
	t.Helper()
	tpl, err := mailer.ParseTemplates(templates.Email())
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: "People Team <people@example.com>",
		Organisation: "Exämple Ltd", Now: now, DKIM: d})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sendSigned sends the fixture's invitations, then its reminders, signed
// with d, to a real SMTP server, and returns what the server received.
func sendSigned(t *testing.T, f *fixture, d *mailer.DKIM) []smtptest.Message {
	t.Helper()
	srv := startServer(t, smtptest.Options{})
	run := f.run(campaign.Invitation, senderConfig(srv))
	run.Composer = dkimComposer(t, d, f.now)
	if _, err := run.Send(context.Background()); err != nil {
		t.Fatal(err)
	}
	run.Round = campaign.Round{Kind: campaign.Reminder, Reminders: campaign.ReminderPolicy{Max: 1}}
	if _, err := run.Send(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv.Messages()
}

// TestDKIMSignaturesVerify sends invitations and reminders signed with an
// RSA and an Ed25519 key to a real SMTP server, and verifies every message
// as the server received it with go-msgauth, an independent verifier.
func TestDKIMSignaturesVerify(t *testing.T) {
	for _, kind := range []string{"rsa", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			d := testDKIM(t, kind)
			name, value, err := d.DNSRecord()
			if err != nil {
				t.Fatal(err)
			}
			if name != "lvm._domainkey.example.com" || !strings.HasPrefix(value, "v=DKIM1; k="+kind+"; p=") {
				t.Fatalf("DNS record %s %q", name, value)
			}
			records := map[string]string{name: value}
			msgs := sendSigned(t, newFixture(t, 4), d) // the names include Zoë Ångström and 李雷
			if len(msgs) != 8 {
				t.Fatalf("the server received %d messages, want 4 invitations and 4 reminders", len(msgs))
			}
			for _, m := range msgs {
				vs, err := testtool.VerifyDKIM(m.Data, records)
				if err != nil {
					t.Errorf("message to %v: %v\n%s", m.To, err, m.Data)
					continue
				}
				keys := strings.ToLower(strings.Join(vs[0].HeaderKeys, ":"))
				if vs[0].Domain != "example.com" || !strings.Contains(keys, "list-unsubscribe:list-unsubscribe-post") || !strings.Contains(keys, "subject") {
					t.Errorf("message to %v: signed by %s over %s; want example.com over the subject and both List-Unsubscribe fields", m.To, vs[0].Domain, keys)
				}
			}

			// The verifier can fail: a changed subject, body or opt-out
			// link breaks the signature.
			raw := msgs[0].Data
			for what, changed := range map[string][]byte{
				"subject":     bytes.Replace(raw, []byte("Subject:"), []byte("Subject: Re:"), 1),
				"body":        bytes.Replace(raw, []byte("minutes"), []byte("seconds"), 1),
				"opt-out URL": bytes.Replace(raw, []byte("/stop>"), []byte("/stop?x>"), 1),
			} {
				if bytes.Equal(changed, raw) {
					t.Fatalf("%s: the change did not apply", what)
				}
				if _, err := testtool.VerifyDKIM(changed, records); err == nil {
					t.Errorf("a message with a changed %s still verifies", what)
				}
			}
		})
	}
}

func TestLoadDKIMRefuses(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, good, _ := ed25519.GenerateKey(rand.Reader)
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := writeKey(t, good, 0o644)
	for _, tc := range []struct {
		name, domain, selector, file string
		want                         []string
	}{
		{"ReadableByOthers", "example.com", "lvm", open, []string{"0644", "chmod 600 " + open}},
		{"GroupReadable", "example.com", "lvm", writeKey(t, good, 0o640), []string{"0640", "chmod 600"}},
		{"NotAKey", "example.com", "lvm", garbage, []string{garbage, "not a PEM private key", "dkim keygen"}},
		{"ShortRSA", "example.com", "lvm", writeKey(t, small, 0o600), []string{"1024-bit", "2048"}},
		{"Missing", "example.com", "lvm", filepath.Join(t.TempDir(), "none.pem"), []string{"key_file", "no such file"}},
		{"NoSelector", "example.com", "", open, []string{"go together"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mailer.LoadDKIM(tc.domain, tc.selector, tc.file)
			if err == nil {
				t.Fatal("got no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestDKIMAlignment(t *testing.T) {
	tpl, err := mailer.ParseTemplates(templates.Email())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		from, domain string
		ok           bool
	}{
		{"people@example.com", "example.com", true},
		{"people@hr.example.com", "example.com", true}, // relaxed alignment: the same organisational domain
		{"people@example.co.uk", "mail.example.co.uk", true},
		{"people@example.com", "mailer.example.net", false},
		{"people@example.co.uk", "other.co.uk", false}, // co.uk is a public suffix, not an organisation
	} {
		d := &mailer.DKIM{Domain: tc.domain, Selector: "lvm", Key: key}
		_, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: tc.from, Organisation: "X", DKIM: d})
		if (err == nil) != tc.ok {
			t.Errorf("from %s signed by %s: got error %v, want ok=%v", tc.from, tc.domain, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "DMARC alignment would fail") {
			t.Errorf("the mismatch is not named: %v", err)
		}
	}
}

func TestGenerateDKIM(t *testing.T) {
	d, pemText, err := mailer.GenerateDKIM("example.com", "lvm", nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(path, pemText, 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := mailer.LoadDKIM("example.com", "lvm", path)
	if err != nil {
		t.Fatalf("the generated key does not load: %v", err)
	}
	_, a, _ := d.DNSRecord()
	_, b, _ := loaded.DNSRecord()
	if a != b || loaded.String() != "d=example.com s=lvm rsa-2048" {
		t.Errorf("loaded %s with record %q, want the generated key's %q", loaded, b, a)
	}
	if !slices.Contains(strings.Split(a, "; "), "k=rsa") {
		t.Errorf("record %q", a)
	}
}

// BenchmarkSign measures what DKIM adds to writing a message, against the
// same message unsigned in the same run.
func BenchmarkSign(b *testing.B) {
	f := newFixture(b, 1)
	rs, err := f.store.FindRecipients(context.Background(), f.camp.ID)
	if err != nil {
		b.Fatal(err)
	}
	letter := mailer.Letter{Kind: campaign.Invitation, Campaign: f.camp, Recipient: &rs[0], Link: mailer.Link(baseURL, rs[0].Token(f.key))}
	for _, kind := range []string{"unsigned", "rsa", "ed25519"} {
		var d *mailer.DKIM
		if kind != "unsigned" {
			d = testDKIM(b, kind)
		}
		tpl, err := mailer.ParseTemplates(templates.Email())
		if err != nil {
			b.Fatal(err)
		}
		comp, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: "People Team <people@example.com>", Organisation: "X", DKIM: d})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(kind, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				m, err := comp.Compose(letter)
				if err != nil {
					b.Fatal(err)
				}
				buf.Reset()
				if _, err := m.WriteTo(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
