package mailer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// TestRemind: reminders go only to those sent the invitation who have not
// responded, each with the same link as their invitation.
func TestRemind(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := newFixtureAt(t, 6, clock)
	srv := startServer(t, smtptest.Options{Refuse: []string{personEmail(5)}})
	if _, err := f.run(campaign.Invitation, senderConfig(srv)).Send(ctx); err != nil {
		t.Fatal(err)
	}
	invitations := map[string]string{} // email → token
	for to, msgs := range byRecipient(srv.Messages()) {
		invitations[to] = tokenIn(t, decode(t, msgs[0].Data).Text)
	}
	srv.Reset()
	f.respond(personEmail(0))

	now = now.Add(59 * time.Minute) // the policy of f.run: after an hour, at most 2
	sum, err := f.run(campaign.Reminder, senderConfig(srv)).Send(ctx)
	if err != nil || sum.Sent != 0 || srv.Count() != 0 {
		t.Fatalf("too soon: sent %d (%v), server got %d; want nothing", sum.Sent, err, srv.Count())
	}

	now = now.Add(time.Minute)
	dry, err := f.run(campaign.Reminder, senderConfig(srv)).DryRun(ctx)
	if err != nil || dry.Due != 4 || srv.Count() != 0 {
		t.Fatalf("dry run: %d due (%v), server got %d; want 4 due and nothing sent", dry.Due, err, srv.Count())
	}
	sum, err = f.run(campaign.Reminder, senderConfig(srv)).Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := byRecipient(srv.Messages())
	want := []string{personEmail(1), personEmail(2), personEmail(3), personEmail(4)} // 0 responded, 5 refused
	if sum.Sent != 4 || len(got) != 4 {
		t.Fatalf("reminded %d people (%v), want %v", len(got), sum, want)
	}
	for _, to := range want {
		if len(got[to]) != 1 {
			t.Errorf("%s: got %d reminders, want 1", to, len(got[to]))
			continue
		}
		d := decode(t, got[to][0].Data)
		if tok := tokenIn(t, d.Text); tok != invitations[to] {
			t.Errorf("%s: the reminder's link differs from the invitation's", to)
		}
		if !strings.HasPrefix(d.Get("Subject"), "Reminder:") || !strings.Contains(d.Get("Message-ID"), ".reminder1.") {
			t.Errorf("%s: subject %q, Message-ID %q; want the first reminder", to, d.Get("Subject"), d.Get("Message-ID"))
		}
	}

	now = now.Add(2 * time.Hour)
	srv.Reset()
	if _, err := f.run(campaign.Reminder, senderConfig(srv)).Send(ctx); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := f.run(campaign.Reminder, senderConfig(srv)).Send(ctx); err != nil {
		t.Fatal(err)
	}
	if got := byRecipient(srv.Messages()); len(got) != 4 || len(got[personEmail(1)]) != 1 {
		t.Errorf("after two more runs: %d people got %d messages; want one more each for 4, then none (max 2)", len(got), srv.Count())
	}
	st := f.status()
	if st.Reminded != 8 {
		t.Errorf("status: %d reminders delivered, want 8 (4 people, 2 rounds)", st.Reminded)
	}
	// The rows of the person who had answered look like the rows of those
	// reminded: the database alone does not say who has answered.
	rows, err := f.db().Query(`SELECT s.email, r.reminders_sent, r.last_message_at, r.responded FROM recipients r
		JOIN staff s ON s.id = r.staff_id WHERE s.email IN (?, ?, ?)`, personEmail(0), personEmail(1), personEmail(2))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var seen []string
	for rows.Next() {
		var email, last string
		var sent, responded int
		if err := rows.Scan(&email, &sent, &last, &responded); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, fmt.Sprintf("%d reminders, last %s, responded flag %d", sent, last, responded))
	}
	if len(seen) != 3 || seen[0] != seen[1] || seen[1] != seen[2] {
		t.Errorf("the one who answered and two who were reminded differ in the database:\n%s", strings.Join(seen, "\n"))
	}
}

// TestClosedCampaignRefused: neither send nor remind works for a closed
// campaign, not even as a dry run.
func TestClosedCampaignRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	srv := startServer(t, smtptest.Options{})
	if err := f.store.CloseCampaign(ctx, f.camp.ID); err != nil {
		t.Fatal(err)
	}
	camp, err := f.store.FindCampaignByID(ctx, f.camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.camp = camp
	for _, kind := range []campaign.MessageKind{campaign.Invitation, campaign.Reminder} {
		if _, err := f.run(kind, senderConfig(srv)).Send(ctx); !errors.Is(err, campaign.ErrCampaignClosed) {
			t.Errorf("%s: got %v, want ErrCampaignClosed", kind, err)
		}
		if _, err := f.run(kind, senderConfig(srv)).DryRun(ctx); !errors.Is(err, campaign.ErrCampaignClosed) {
			t.Errorf("%s dry run: got %v, want ErrCampaignClosed", kind, err)
		}
	}
	if srv.Stats().Connections != 0 {
		t.Error("connected to the server for a closed campaign")
	}
}

// TestOneRunAtATime: a second run refuses while the first holds the lease.
func TestOneRunAtATime(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	srv := startServer(t, smtptest.Options{})
	if _, err := f.store.AcquireSender(ctx, f.camp.ID, "another run", time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []campaign.MessageKind{campaign.Invitation, campaign.Reminder} {
		_, err := f.run(kind, senderConfig(srv)).Send(ctx)
		if !errors.Is(err, campaign.ErrSenderBusy) || !strings.Contains(err.Error(), "another run") {
			t.Errorf("%s: got %v, want ErrSenderBusy naming the other run", kind, err)
		}
	}
	if srv.Stats().Connections != 0 || f.status().Pending != 3 {
		t.Error("the refused run sent something")
	}
}

// TestLeaseRenewed: a run that lasts longer than its lease renews it, so
// that no other run can take the campaign meanwhile.
func TestLeaseRenewed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 80)
	srv := startServer(t, smtptest.Options{Delay: 25 * time.Millisecond})
	cfg := senderConfig(srv)
	cfg.Concurrency = 1
	run := f.run(campaign.Invitation, cfg)
	run.LeaseTTL = time.Second
	intruder := make(chan error, 1)
	go func() {
		<-srv.WaitFor(60) // more than a lease's worth of time after the start
		_, err := f.store.AcquireSender(ctx, f.camp.ID, "intruder", time.Minute, nil)
		intruder <- err
	}()
	sum, err := run.Send(ctx)
	if err != nil || sum.Sent != 80 {
		t.Fatalf("sent %d: %v", sum.Sent, err)
	}
	if err := <-intruder; !errors.Is(err, campaign.ErrSenderBusy) {
		t.Errorf("another run during the send: got %v, want ErrSenderBusy", err)
	}
	if _, err := f.store.AcquireSender(ctx, f.camp.ID, "next run", time.Minute, nil); err != nil {
		t.Errorf("after the run: %v, want the lease released", err)
	}
}

// TestLeaseLost: a run whose lease is taken over stops, and records the
// truth about what it sent.
func TestLeaseLost(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 80)
	srv := startServer(t, smtptest.Options{Delay: 5 * time.Millisecond})
	cfg := senderConfig(srv)
	cfg.Concurrency = 1
	run := f.run(campaign.Invitation, cfg)
	run.LeaseTTL = 60 * time.Millisecond
	go func() {
		<-srv.WaitFor(10)
		// As if this run had stalled past its lease and another took over.
		f.db().Exec(`UPDATE campaigns SET sender = 'thief', sender_until = '2999-01-01T00:00:00.000000000Z'`)
	}()
	sum, err := run.Send(ctx)
	if !errors.Is(err, campaign.ErrSenderLost) {
		t.Fatalf("got %v, want ErrSenderLost", err)
	}
	st := f.status()
	if st.Sent != srv.Count() || st.Sent != sum.Sent || st.Sending != 0 || st.Pending != 80-st.Sent {
		t.Errorf("status %+v after sending %d (summary %d): want every message the server took recorded, the rest pending",
			st, srv.Count(), sum.Sent)
	}
}

// TestConnectionOutlivesTimeout: one connection carries message after
// message for longer than the SMTP timeout, which bounds each step of the
// conversation, not the life of a connection. Everyone gets exactly one
// message and no transaction is retried.
func TestConnectionOutlivesTimeout(t *testing.T) {
	const n = 30
	f := newFixture(t, n)
	srv := startServer(t, smtptest.Options{Delay: 25 * time.Millisecond})
	cfg := senderConfig(srv)
	cfg.Concurrency, cfg.Timeout = 1, 200*time.Millisecond // the run lasts about 750 ms
	sum, err := f.run(campaign.Invitation, cfg).Send(context.Background())
	if err != nil || sum.Sent != n {
		t.Fatalf("sent %d: %v", sum.Sent, err)
	}
	if got := srv.Stats(); got.Connections != 1 || srv.Count() != n || len(srv.Recipients()) != n {
		t.Errorf("the server saw %d connections, %d messages and %d transactions; want 1, %d and %d", got.Connections, srv.Count(), len(srv.Recipients()), n, n)
	}
}
