package mailer_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// TestSendCampaign sends a campaign of a few hundred people to a real SMTP
// server on loopback: one message each, each with its own working link.
func TestSendCampaign(t *testing.T) {
	const n = 300
	ctx := context.Background()
	f := newFixture(t, n)
	srv := startServer(t, smtptest.Options{})

	dry, err := f.run(campaign.Invitation, senderConfig(srv)).DryRun(ctx)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if dry.Sent != n || srv.Count() != 0 || srv.Stats().Connections != 0 {
		t.Fatalf("dry run: got %d rendered, %d messages and %d connections at the server, want %d, 0 and 0",
			dry.Sent, srv.Count(), srv.Stats().Connections, n)
	}
	if st := f.status(); st.Pending != n {
		t.Fatalf("dry run changed the store: %+v", st)
	}

	sum, err := f.run(campaign.Invitation, senderConfig(srv)).Send(ctx)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if sum.Sent != n || len(sum.Failed) != 0 || sum.Unknown != 0 || sum.Skipped != 0 {
		t.Errorf("summary: got %+v, want %d sent and nothing else", sum, n)
	}
	st := f.status()
	if st.Sent != n || st.Pending != 0 || st.Sending != 0 || st.Unknown != 0 {
		t.Errorf("status after send: %+v", st)
	}

	got := byRecipient(srv.Messages())
	if len(got) != n || srv.Count() != n {
		t.Fatalf("got %d messages to %d people, want exactly one each for %d", srv.Count(), len(got), n)
	}
	recipients, err := f.store.FindRecipients(ctx, f.camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recipients {
		msgs := got[r.Email]
		if len(msgs) != 1 {
			t.Errorf("%s: got %d messages, want 1", r.Email, len(msgs))
			continue
		}
		d := decode(t, msgs[0].Data)
		if d.Text == "" || d.HTML == "" || strings.Join(d.Parts, ",") != "text/plain,text/html" {
			t.Errorf("%s: parts %v, want text/plain then text/html, both with content", r.Email, d.Parts)
		}
		token := tokenIn(t, d.Text)
		if h := tokenIn(t, d.HTML); h != token {
			t.Errorf("%s: the HTML link differs from the text link", r.Email)
		}
		if !bytes.Equal(campaign.HashToken(token), f.tokenHash(r.Email)) {
			t.Errorf("%s: the link's token does not hash to the recipient's token_hash", r.Email)
		}
		if seen[token] {
			t.Errorf("%s: token shared with another person", r.Email)
		}
		seen[token] = true
		if got := d.Get("To"); got != r.Name+" <"+r.Email+">" && got != `"`+r.Name+`" <`+r.Email+">" {
			t.Errorf("%s: To decodes to %q, want the name %q and the address", r.Email, got, r.Name)
		}
		if raw := rawHeader(d, "To"); !isASCII(raw) {
			t.Errorf("%s: To header not encoded: %q", r.Email, raw)
		}
		if r.Name == "Zoë Ångström" && !strings.Contains(rawHeader(d, "To"), "=?UTF-8?q?") && !strings.Contains(rawHeader(d, "To"), "=?utf-8?q?") {
			t.Errorf("%s: To header %q is not RFC 2047 encoded", r.Email, rawHeader(d, "To"))
		}
	}

	again, err := f.run(campaign.Invitation, senderConfig(srv)).Send(ctx)
	if err != nil {
		t.Fatalf("second send: %v", err)
	}
	if srv.Count() != n || again.Sent != 0 || again.Skipped != n {
		t.Errorf("second send: server has %d messages (want %d); summary %+v, want 0 sent and %d skipped", srv.Count(), n, again, n)
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestSendInterrupted cancels a send half way, as Ctrl-C does: the
// messages in flight finish and every message the server accepted is
// recorded as sent; the rest stay pending, and a new send completes.
func TestSendInterrupted(t *testing.T) {
	const n = 120
	f := newFixture(t, n)
	srv := startServer(t, smtptest.Options{Delay: 2 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-srv.WaitFor(30)
		cancel()
	}()
	sum, err := f.run(campaign.Invitation, senderConfig(srv)).Send(ctx)
	if !errors.Is(err, mailer.ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	st := f.status()
	accepted := srv.Count()
	if st.Sent != accepted || sum.Sent != accepted {
		t.Errorf("got %d recorded sent (summary %d), want the %d the server accepted", st.Sent, sum.Sent, accepted)
	}
	if st.Sending != 0 || st.Unknown != 0 || st.Pending+st.Sent != n {
		t.Errorf("after the interrupt: %+v, want only sent and pending", st)
	}
	if accepted == n {
		t.Fatalf("the interrupt came too late to test anything")
	}

	if _, err := f.run(campaign.Invitation, senderConfig(srv)).Send(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := byRecipient(srv.Messages())
	for i := range n {
		if len(got[personEmail(i)]) != 1 {
			t.Errorf("%s: got %d messages, want 1", personEmail(i), len(got[personEmail(i)]))
		}
	}
}
