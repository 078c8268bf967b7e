package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lvm-mail/lvm-mail/bounces"
	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// report fills a sample report of bounces/testdata with the Message-ID
// and the address of a message that was sent, and the message itself.
func report(t *testing.T, name, id, to string, sent []byte) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "bounces", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("{{MESSAGE-ID}}", id, "{{RECIPIENT}}", to, "{{ORIGINAL}}", strings.ReplaceAll(string(sent), "\r\n", "\n")).Replace(string(b))
	return []byte(strings.ReplaceAll(text, "\n", "\r\n"))
}

// imapFolder is a client of the test's Dovecot with INBOX selected.
func imapFolder(t *testing.T, d *testtool.Dovecot) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(fmt.Sprintf("%s:%d", d.Host, d.Port), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(d.User, d.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func appendMessage(t *testing.T, c *imapclient.Client, raw []byte) {
	t.Helper()
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// flags returns the flags of every message of the folder by subject.
func flags(t *testing.T, c *imapclient.Client) map[string][]imap.Flag {
	t.Helper()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil { // see what other sessions did
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]imap.Flag{}
	for _, m := range msgs {
		out[m.Envelope.Subject] = m.Flags
	}
	return out
}

// TestBouncesCommand reads a real Dovecot mailbox holding a DSN built
// around a message lvm-mail sent, an Exchange NDR, a soft bounce, an
// out-of-office reply and a bounce of someone else's mail.
func TestBouncesCommand(t *testing.T) {
	d := testtool.StartDovecot(t)
	c, srv := newMailShell(t, smtptest.Options{}, "")
	config := mustRead(t, c.path("lvm-mail.toml")) + fmt.Sprintf(`
[bounces]
host = %q
port = %d
tls = "none"
username = %q
folder = "INBOX"
`, d.Host, d.Port, d.User)
	c.write("lvm-mail.toml", config)
	c.env["LVM_MAIL_BOUNCES_PASSWORD"] = d.Password
	c.invite(4)
	c.ok("send", "--campaign", "big")

	sent := map[string][]byte{}
	ids := map[string]string{}
	for _, m := range srv.Messages() {
		dm, err := mailer.Decode(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		sent[m.To[0]] = m.Data
		ids[m.To[0]] = strings.Trim(dm.Get("Message-ID"), "<>")
	}
	if len(sent) != 4 {
		t.Fatalf("sent %d invitations, want 4", len(sent))
	}
	box := imapFolder(t, d)
	appendMessage(t, box, report(t, "postfix-dsn.eml", ids["p000@example.com"], "p000@example.com", sent["p000@example.com"]))
	appendMessage(t, box, report(t, "exchange-ndr.eml", ids["p001@example.com"], "p001@example.com", nil))
	appendMessage(t, box, report(t, "postfix-delayed.eml", ids["p002@example.com"], "p002@example.com", nil))
	appendMessage(t, box, report(t, "out-of-office.eml", ids["p003@example.com"], "p003@example.com", nil))
	appendMessage(t, box, report(t, "gmail-ndr.eml", "CAF=someone-else@mail.gmail.com", "friend@example.org", nil))

	out := c.ok("bounces")
	t.Logf("lvm-mail bounces:\n%s", out)
	for _, want := range []string{
		"Read 5 new messages",
		"hard bounces       2",
		"p000@example.com (big): 5.1.1 550 5.1.1 <p000@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
		"p001@example.com (big): 5.1.10 Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound",
		"soft bounces       1",
		"p002@example.com (big): 4.2.2 452 4.2.2 <p002@example.com>: Mailbox full",
		"Left as they were: 1 not bounces, 1 bounces of other mail, 0 of other campaigns, 0 unreadable.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}

	st := c.status("big")
	for key, want := range map[string]float64{"sent": 2, "failed": 2, "bounced": 2, "soft_bounced": 1, "invited": 4} {
		if st[key] != want {
			t.Errorf("status %s = %v, want %v", key, st[key], want)
		}
	}
	failures := fmt.Sprint(st["failures"])
	if !strings.Contains(failures, "p000@example.com kind:invitation reply:bounced: 5.1.1") || !strings.Contains(failures, "p001@example.com kind:invitation reply:bounced: 5.1.10") {
		t.Errorf("failures %s: want both hard bounces with their diagnostics", failures)
	}
	if js := reportJSON(t, c.ok("report", "--campaign", "big", "--format", "json")); js["delivered"] != 2.0 {
		t.Errorf("the report counts %v delivered, want 2 (4 accepted, 2 bounced)", js["delivered"])
	}
	human := c.ok("status", "--campaign", "big")
	if !strings.Contains(human, "of which 2 bounced") || !strings.Contains(human, "p002@example.com: 4.2.2") {
		t.Errorf("status does not show the bounces:\n%s", human)
	}

	fl := flags(t, box)
	for subject, fs := range fl {
		processed := slices.Contains(fs, imap.Flag(bounces.ProcessedKeyword))
		want := !strings.HasPrefix(subject, "Automatic reply") && !strings.HasPrefix(subject, "Delivery Status Notification")
		if processed != want {
			t.Errorf("%q: flagged processed %v, want %v (flags %v)", subject, processed, want, fs)
		}
		if slices.Contains(fs, imap.FlagSeen) {
			t.Errorf("%q was marked read: reading bounces must not change what a person sees as unread", subject)
		}
	}

	// A second run reads only what was left alone and changes nothing.
	again := c.ok("bounces")
	if !strings.Contains(again, "Read 2 new messages") || !strings.Contains(again, "hard bounces       0") || !strings.Contains(again, "soft bounces       0") {
		t.Errorf("second run:\n%s", again)
	}
	if st2 := c.status("big"); fmt.Sprint(st2) != fmt.Sprint(st) {
		t.Errorf("a second run changed the status:\n%v\n%v", st, st2)
	}

	// Even when a flag is lost, a report is never counted twice.
	if err := box.Store(imap.SeqSetNum(1, 2, 3), &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true,
		Flags: []imap.Flag{bounces.ProcessedKeyword}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	third := c.ok("bounces")
	if !strings.Contains(third, "nothing new        3") {
		t.Errorf("after the flags were lost:\n%s", third)
	}
	if st3 := c.status("big"); fmt.Sprint(st3) != fmt.Sprint(st) {
		t.Errorf("reading the same reports again changed the status:\n%v\n%v", st, st3)
	}
}

func TestBouncesErrors(t *testing.T) {
	c, _ := newMailShell(t, smtptest.Options{}, "")
	c.invite(1)
	errOut := c.fails(1, "bounces")
	if !strings.Contains(errOut, "bounces.host is empty") {
		t.Errorf("no [bounces] host: got %q", errOut)
	}
	c.fails(2, "bounces", "extra")
	if errOut := c.fails(1, "bounces", "--campaign", "nope"); !strings.Contains(errOut, `no campaign "nope"`) {
		t.Errorf("unknown campaign: %q", errOut)
	}
}
