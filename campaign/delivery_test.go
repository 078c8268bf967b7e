package campaign_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
)

// clock is a settable clock for the store.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: testNow} }

func emails(rs []campaign.Recipient) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Email)
	}
	return out
}

// deliveryStore opens a store on the clock with a campaign for the sample
// staff.
func deliveryStore(t *testing.T, c *clock) (*campaign.Store, *campaign.Campaign) {
	s, camp, _ := deliveryStoreAt(t, c)
	return s, camp
}

func deliveryStoreAt(t *testing.T, c *clock) (*campaign.Store, *campaign.Campaign, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := campaign.Open(ctx, path, campaign.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.ImportStaff(ctx, sampleStaff(), campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	camp, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Pulse", Instrument: instrument.Default(), MinGroupSize: 5}, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return s, camp, path
}

// setResponded marks a recipient as having responded, as serve does,
// straight in the database file.
func setResponded(t *testing.T, path string, campaignID int64, email string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE recipients SET responded = 1 WHERE campaign_id = ?
		AND staff_id = (SELECT id FROM staff WHERE email = ?)`, campaignID, email)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("set responded for %s: %d rows", email, n)
	}
}

const ttl = 30 * time.Second

func TestSenderLease(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp := deliveryStore(t, c)

	if _, err := s.AcquireSender(ctx, camp.ID, "run A", ttl); err != nil {
		t.Fatalf("A takes the free lease: %v", err)
	}
	_, err := s.AcquireSender(ctx, camp.ID, "run B", ttl)
	if !errors.Is(err, campaign.ErrSenderBusy) || !strings.Contains(err.Error(), "run A") {
		t.Fatalf("B while A holds the lease: got %v, want ErrSenderBusy naming run A", err)
	}
	c.Advance(ttl / 2)
	if err := s.RenewSender(ctx, camp.ID, "run A", ttl); err != nil {
		t.Fatalf("A renews: %v", err)
	}
	c.Advance(ttl * 3 / 4) // past the first lease, within the renewed one
	if _, err := s.AcquireSender(ctx, camp.ID, "run B", ttl); !errors.Is(err, campaign.ErrSenderBusy) {
		t.Fatalf("B within A's renewed lease: got %v, want ErrSenderBusy", err)
	}
	if err := s.RenewSender(ctx, camp.ID, "run B", ttl); !errors.Is(err, campaign.ErrSenderLost) {
		t.Fatalf("B renews a lease it never had: got %v, want ErrSenderLost", err)
	}
	if err := s.ReleaseSender(ctx, camp.ID, "run A"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireSender(ctx, camp.ID, "run B", ttl); err != nil {
		t.Fatalf("B after A released: %v", err)
	}

	// B dies; once its lease lapses C may take it, and B has lost it.
	c.Advance(ttl + time.Second)
	if _, err := s.AcquireSender(ctx, camp.ID, "run C", ttl); err != nil {
		t.Fatalf("C after B's lease lapsed: %v", err)
	}
	if err := s.RenewSender(ctx, camp.ID, "run B", ttl); !errors.Is(err, campaign.ErrSenderLost) {
		t.Errorf("B renews after C took over: got %v, want ErrSenderLost", err)
	}
	if _, err := s.ClaimInvitations(ctx, camp.ID, "run B", 10, false); !errors.Is(err, campaign.ErrSenderLost) {
		t.Errorf("B claims after C took over: got %v, want ErrSenderLost", err)
	}
	if err := s.ReleaseSender(ctx, camp.ID, "run B"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireSender(ctx, camp.ID, "run D", ttl); !errors.Is(err, campaign.ErrSenderBusy) {
		t.Errorf("B's release must not free C's lease: got %v", err)
	}
}

func TestClaimAndRecordInvitations(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp := deliveryStore(t, c)
	if _, err := s.ClaimInvitations(ctx, camp.ID, "run A", 10, false); !errors.Is(err, campaign.ErrSenderLost) {
		t.Fatalf("claim without the lease: got %v, want ErrSenderLost", err)
	}
	if _, err := s.AcquireSender(ctx, camp.ID, "run A", ttl); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.ClaimInvitations(ctx, camp.ID, "run A", 4, false)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.FindRecipients(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(emails(claimed), " "), strings.Join(emails(all[:4]), " "); got != want {
		t.Fatalf("claimed %s, want the first four in order: %s", got, want)
	}
	st, err := s.CampaignStatus(ctx, camp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sending != 4 || st.Pending != 2 {
		t.Errorf("status while in flight: %+v, want 4 sending and 2 pending", st)
	}
	more, err := s.ClaimInvitations(ctx, camp.ID, "run A", 10, false)
	if err != nil || len(more) != 2 {
		t.Fatalf("second claim: got %d (%v), want the 2 left", len(more), err)
	}

	sentAt := testNow.Add(time.Minute)
	err = s.RecordDeliveries(ctx, []campaign.Delivery{
		{RecipientID: claimed[0].ID, Kind: campaign.Invitation, Result: campaign.Delivered, Reply: "250 2.0.0 OK", Attempts: 1, At: sentAt},
		{RecipientID: claimed[1].ID, Kind: campaign.Invitation, Result: campaign.Refused, Reply: "550 5.1.1 mailbox unavailable", Attempts: 1},
		{RecipientID: claimed[2].ID, Kind: campaign.Invitation, Result: campaign.Untried, Reply: "451 4.3.0 Try again later", Attempts: 1},
		{RecipientID: claimed[3].ID, Kind: campaign.Invitation, Result: campaign.Untried},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err = s.CampaignStatus(ctx, camp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 1 || st.Failed != 1 || st.Pending != 2 || st.Sending != 2 {
		t.Errorf("status after recording: %+v, want 1 sent, 1 failed, 2 pending, 2 sending", st)
	}
	if len(st.Failures) != 1 || st.Failures[0].Email != claimed[1].Email || st.Failures[0].Reply != "550 5.1.1 mailbox unavailable" {
		t.Errorf("failures: got %+v, want %s with the 550 reply", st.Failures, claimed[1].Email)
	}
	ann, err := s.FindRecipientByEmail(ctx, camp.ID, claimed[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	if !ann.SentAt.Equal(sentAt) || !ann.LastMessageAt.Equal(sentAt) || ann.Attempts != 1 || ann.State != campaign.StateSent {
		t.Errorf("%s: %+v, want sent at %v after 1 attempt", ann.Email, ann, sentAt)
	}
	cat, err := s.FindRecipientByEmail(ctx, camp.ID, claimed[2].Email)
	if err != nil {
		t.Fatal(err)
	}
	if cat.State != campaign.StatePending || cat.LastReply != "451 4.3.0 Try again later" || cat.Attempts != 1 {
		t.Errorf("%s: %+v, want pending with the 451 kept", cat.Email, cat)
	}
	due, err := s.FindInvitationsDue(ctx, camp.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(emails(due), " "), strings.Join(emails(claimed[2:4]), " "); got != want {
		t.Errorf("due: got %s, want the two untried: %s", got, want)
	}
}

// TestRecoveryAfterDeath: a run dies with messages in flight. Its
// invitations become unknown, and are resent only when asked; its
// reminders count as sent.
func TestRecoveryAfterDeath(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp := deliveryStore(t, c)
	if _, err := s.AcquireSender(ctx, camp.ID, "run A", ttl); err != nil {
		t.Fatal(err)
	}
	all, err := s.ClaimInvitations(ctx, camp.ID, "run A", 10, false)
	if err != nil {
		t.Fatal(err)
	}
	var ds []campaign.Delivery
	for _, r := range all[:4] {
		ds = append(ds, campaign.Delivery{RecipientID: r.ID, Kind: campaign.Invitation, Result: campaign.Delivered, Attempts: 1})
	}
	if err := s.RecordDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// A sends the last two invitations and a reminder to the first, then dies.
	c.Advance(2 * time.Hour)
	if err := s.RenewSender(ctx, camp.ID, "run A", ttl); err != nil {
		t.Fatal(err)
	}
	reminding, err := s.ClaimReminders(ctx, camp.ID, "run A", 1, campaign.ReminderPolicy{Max: 3, After: time.Hour})
	if err != nil || len(reminding) != 1 {
		t.Fatalf("claim a reminder: got %d, %v", len(reminding), err)
	}

	st, err := s.CampaignStatus(ctx, camp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sending != 2 || st.Unknown != 0 {
		t.Errorf("while A's lease is live: %+v, want 2 sending", st)
	}
	c.Advance(ttl + time.Second)
	if st, err = s.CampaignStatus(ctx, camp); err != nil || st.Unknown != 2 || st.Sending != 0 {
		t.Errorf("after A's lease lapsed: %+v (%v), want 2 unknown", st, err)
	}

	rec, err := s.AcquireSender(ctx, camp.ID, "run B", ttl)
	if err != nil {
		t.Fatal(err)
	}
	if rec != (campaign.Recovery{Unknown: 2, Reminders: 1}) {
		t.Errorf("recovery: got %+v, want 2 unknown invitations and 1 reminder", rec)
	}
	if due, _ := s.FindInvitationsDue(ctx, camp.ID, false); len(due) != 0 {
		t.Errorf("unknown invitations are due without asking: %v", emails(due))
	}
	due, err := s.FindInvitationsDue(ctx, camp.ID, true)
	if err != nil || len(due) != 2 {
		t.Errorf("with resendUnknown: got %v (%v), want the 2 unknown", emails(due), err)
	}
	first, err := s.FindRecipientByEmail(ctx, camp.ID, reminding[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	if first.RemindersSent != 1 || !first.LastMessageAt.Equal(c.Now()) {
		t.Errorf("the reminder of unknown fate: %d sent, last message %v; want it counted, at the recovery", first.RemindersSent, first.LastMessageAt)
	}
}

// TestRemindersDue checks who may be reminded, with an injected clock.
func TestRemindersDue(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp, path := deliveryStoreAt(t, c)
	policy := campaign.ReminderPolicy{Max: 2, After: 72 * time.Hour}
	if _, err := s.AcquireSender(ctx, camp.ID, "run", 100000*time.Hour); err != nil {
		t.Fatal(err)
	}
	byEmail := map[string]campaign.Recipient{}
	all, err := s.ClaimInvitations(ctx, camp.ID, "run", 10, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		byEmail[r.Email] = r
	}
	record := func(email string, kind campaign.MessageKind, result campaign.DeliveryResult, at time.Time) {
		t.Helper()
		if err := s.RecordDeliveries(ctx, []campaign.Delivery{{RecipientID: byEmail[email].ID, Kind: kind, Result: result, Attempts: 1, At: at}}); err != nil {
			t.Fatal(err)
		}
	}
	// ann, bob, cat, dan: sent on day 0; eve refused; fay never sent.
	for _, e := range []string{"ann@example.com", "bob@example.com", "cat@example.com", "dan@example.com"} {
		record(e, campaign.Invitation, campaign.Delivered, testNow)
	}
	record("eve@example.com", campaign.Invitation, campaign.Refused, time.Time{})
	record("fay@example.com", campaign.Invitation, campaign.Untried, time.Time{})
	setResponded(t, path, camp.ID, "bob@example.com")

	due := func() string {
		t.Helper()
		rs, err := s.FindRemindersDue(ctx, camp.ID, policy)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(emails(rs), " ")
	}
	remind := func() string {
		t.Helper()
		rs, err := s.ClaimReminders(ctx, camp.ID, "run", 10, policy)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			record(r.Email, campaign.Reminder, campaign.Delivered, c.Now())
		}
		return strings.Join(emails(rs), " ")
	}

	for _, step := range []struct {
		advance time.Duration
		want    string
	}{
		{71 * time.Hour, ""}, // too soon for anyone
		{time.Hour, "ann@example.com cat@example.com dan@example.com"}, // 72 h after the invitation
		{71 * time.Hour, ""}, // too soon after the first reminder
		{time.Hour, "ann@example.com cat@example.com dan@example.com"}, // second reminder
		{1000 * time.Hour, ""}, // max_reminders reached
	} {
		c.Advance(step.advance)
		if got := due(); got != step.want {
			t.Fatalf("at %v: due %q, want %q", c.Now().Sub(testNow), got, step.want)
		}
		if got := remind(); got != step.want {
			t.Fatalf("at %v: claimed %q, want %q", c.Now().Sub(testNow), got, step.want)
		}
	}
	ann, err := s.FindRecipientByEmail(ctx, camp.ID, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ann.RemindersSent != 2 {
		t.Errorf("ann: %d reminders, want 2", ann.RemindersSent)
	}
}
