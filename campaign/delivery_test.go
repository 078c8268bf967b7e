package campaign_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
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

// answer records a response from the recipient with the given address,
// as serve does with their token.
func answer(t *testing.T, s *campaign.Store, campaignID int64, email string) {
	t.Helper()
	r, err := s.FindRecipientByEmail(context.Background(), campaignID, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordResponse(context.Background(), r.Token(testKey(t)), map[string]int{instrument.Default().Items[0].ID: 3}, ""); err != nil {
		t.Fatal(err)
	}
}

// claimAll finds who is due in the round and claims them all.
func claimAll(t *testing.T, s *campaign.Store, campaignID int64, holder string, rd campaign.Round) []campaign.Recipient {
	t.Helper()
	ctx := context.Background()
	ids, err := s.FindDue(ctx, campaignID, rd, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.Claim(ctx, campaignID, holder, rd, ids, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

var invitations = campaign.Round{Kind: campaign.Invitation}

const ttl = 30 * time.Second

func TestSenderLease(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp := deliveryStore(t, c)

	if _, err := s.AcquireSender(ctx, camp.ID, "run A", ttl, nil); err != nil {
		t.Fatalf("A takes the free lease: %v", err)
	}
	_, err := s.AcquireSender(ctx, camp.ID, "run B", ttl, nil)
	if !errors.Is(err, campaign.ErrSenderBusy) || !strings.Contains(err.Error(), "run A") {
		t.Fatalf("B while A holds the lease: got %v, want ErrSenderBusy naming run A", err)
	}
	c.Advance(ttl / 2)
	if err := s.RenewSender(ctx, camp.ID, "run A", ttl); err != nil {
		t.Fatalf("A renews: %v", err)
	}
	c.Advance(ttl * 3 / 4) // past the first lease, within the renewed one
	if _, err := s.AcquireSender(ctx, camp.ID, "run B", ttl, nil); !errors.Is(err, campaign.ErrSenderBusy) {
		t.Fatalf("B within A's renewed lease: got %v, want ErrSenderBusy", err)
	}
	if _, err := s.AcquireSender(ctx, camp.ID, "run B", ttl, func(h string) bool { return h == "run Z" }); !errors.Is(err, campaign.ErrSenderBusy) {
		t.Fatalf("B while A is not known to be gone: got %v, want ErrSenderBusy", err)
	}

	if err := s.RenewSender(ctx, camp.ID, "run B", ttl); !errors.Is(err, campaign.ErrSenderLost) {
		t.Fatalf("B renews a lease it never had: got %v, want ErrSenderLost", err)
	}
	if err := s.ReleaseSender(ctx, camp.ID, "run A"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireSender(ctx, camp.ID, "run B", ttl, nil); err != nil {
		t.Fatalf("B after A released: %v", err)
	}

	// B dies; once its lease lapses C may take it, and B has lost it.
	c.Advance(ttl + time.Second)
	if _, err := s.AcquireSender(ctx, camp.ID, "run C", ttl, nil); err != nil {
		t.Fatalf("C after B's lease lapsed: %v", err)
	}
	if err := s.RenewSender(ctx, camp.ID, "run B", ttl); !errors.Is(err, campaign.ErrSenderLost) {
		t.Errorf("B renews after C took over: got %v, want ErrSenderLost", err)
	}
	if _, err := s.Claim(ctx, camp.ID, "run B", invitations, []int64{1}, testKey(t)); !errors.Is(err, campaign.ErrSenderLost) {
		t.Errorf("B claims after C took over: got %v, want ErrSenderLost", err)
	}
	if err := s.Advance(ctx, camp.ID, "run B", nil, []int64{1}); !errors.Is(err, campaign.ErrSenderLost) {
		t.Errorf("B starts a delivery after C took over: got %v, want ErrSenderLost", err)
	}
	if err := s.ReleaseSender(ctx, camp.ID, "run B"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireSender(ctx, camp.ID, "run D", ttl, nil); !errors.Is(err, campaign.ErrSenderBusy) {
		t.Errorf("B's release must not free C's lease: got %v", err)
	}
	// C dies on this machine: D, which can tell that C's process is gone,
	// takes over at once instead of waiting for the lease to lapse.
	if _, err := s.AcquireSender(ctx, camp.ID, "run D", ttl, func(h string) bool { return h == "run C" }); err != nil {
		t.Errorf("D after C is gone: got %v, want the lease at once", err)
	}
}

func TestClaimAndRecordInvitations(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp := deliveryStore(t, c)
	due, err := s.FindDue(ctx, camp.ID, invitations, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, camp.ID, "run A", invitations, due, testKey(t)); !errors.Is(err, campaign.ErrSenderLost) {
		t.Fatalf("claim without the lease: got %v, want ErrSenderLost", err)
	}
	if _, err := s.AcquireSender(ctx, camp.ID, "run A", ttl, nil); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Claim(ctx, camp.ID, "run A", invitations, due[:4], testKey(t))
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
	// A second claim of the same people claims no one twice.
	more, err := s.Claim(ctx, camp.ID, "run A", invitations, due, testKey(t))
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
	if st.Sent != 1 || st.Failed != 1 || st.Pending != 2 || st.Sending != 2 || st.Delivered != 1 {
		t.Errorf("status after recording: %+v, want 1 sent and delivered, 1 failed, 2 pending, 2 sending", st)
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
	due, err = s.FindDue(ctx, camp.ID, invitations, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := due, []int64{claimed[2].ID, claimed[3].ID}; !slices.Equal(got, want) {
		t.Errorf("due: got %v, want the two untried: %v", got, want)
	}
	// The refused one comes back only when asked, with the same link.
	retry, err := s.FindDue(ctx, camp.ID, campaign.Round{Kind: campaign.Invitation, RetryFailed: true}, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(retry, claimed[1].ID) || len(retry) != 3 {
		t.Errorf("with RetryFailed: got %v, want the untried and %d", retry, claimed[1].ID)
	}
}

// TestRecoveryAfterDeath: a run dies with messages in flight. Those only
// claimed are due again; invitations whose SMTP transaction had started
// become unknown, and are resent only when asked; reminders whose
// transaction had started count as sent.
func TestRecoveryAfterDeath(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp := deliveryStore(t, c)
	if _, err := s.AcquireSender(ctx, camp.ID, "run A", ttl, nil); err != nil {
		t.Fatal(err)
	}
	all := claimAll(t, s, camp.ID, "run A", invitations)
	var ds []campaign.Delivery
	for _, r := range all[:3] {
		ds = append(ds, campaign.Delivery{RecipientID: r.ID, Kind: campaign.Invitation, Result: campaign.Delivered, Attempts: 1})
	}
	if err := s.RecordDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// A starts two of the three invitations left and a reminder to each of
	// the first two, claims a reminder to the third, then dies.
	if err := s.Advance(ctx, camp.ID, "run A", nil, []int64{all[3].ID, all[4].ID}); err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * time.Hour)
	if err := s.RenewSender(ctx, camp.ID, "run A", ttl); err != nil {
		t.Fatal(err)
	}
	reminders := campaign.Round{Kind: campaign.Reminder, Reminders: campaign.ReminderPolicy{Max: 3, After: time.Hour}}
	reminding := claimAll(t, s, camp.ID, "run A", reminders)
	if len(reminding) != 3 {
		t.Fatalf("claimed %d reminders, want 3", len(reminding))
	}
	if err := s.Advance(ctx, camp.ID, "run A", nil, []int64{reminding[0].ID, reminding[1].ID}); err != nil {
		t.Fatal(err)
	}

	st, err := s.CampaignStatus(ctx, camp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sending != 3 || st.Unknown != 0 {
		t.Errorf("while A's lease is live: %+v, want 3 sending", st)
	}
	c.Advance(ttl + time.Second)
	if st, err = s.CampaignStatus(ctx, camp); err != nil || st.Unknown != 2 || st.Sending != 0 || st.Pending != 1 {
		t.Errorf("after A's lease lapsed: %+v (%v), want 2 unknown and 1 pending", st, err)
	}

	rec, err := s.AcquireSender(ctx, camp.ID, "run B", ttl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec != (campaign.Recovery{Returned: 1, Unknown: 2, Reminders: 2}) {
		t.Errorf("recovery: got %+v, want 1 returned, 2 unknown invitations, 2 reminders", rec)
	}
	if due, _ := s.FindDue(ctx, camp.ID, invitations, testKey(t)); !slices.Equal(due, []int64{all[5].ID}) {
		t.Errorf("due without asking: %v, want only the one never started, %d", due, all[5].ID)
	}
	due, err := s.FindDue(ctx, camp.ID, campaign.Round{Kind: campaign.Invitation, ResendUnknown: true}, testKey(t))
	if err != nil || len(due) != 3 {
		t.Errorf("with ResendUnknown: got %v (%v), want the 2 unknown and the 1 never started", due, err)
	}
	for i, r := range reminding {
		got, err := s.FindRecipientByEmail(ctx, camp.ID, r.Email)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 - i/2; got.RemindersSent != want {
			t.Errorf("reminder %d: %d sent, want %d (only a started reminder counts)", i, got.RemindersSent, want)
		}
	}
}

// TestRemindersDue checks who may be reminded, with an injected clock.
func TestRemindersDue(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp, _ := deliveryStoreAt(t, c)
	policy := campaign.ReminderPolicy{Max: 2, After: 72 * time.Hour}
	if _, err := s.AcquireSender(ctx, camp.ID, "run", 100000*time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	byEmail := map[string]campaign.Recipient{}
	for _, r := range claimAll(t, s, camp.ID, "run", invitations) {
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
	answer(t, s, camp.ID, "bob@example.com")

	round := campaign.Round{Kind: campaign.Reminder, Reminders: policy}
	remind := func() string {
		t.Helper()
		rs := claimAll(t, s, camp.ID, "run", round)
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
		if got := remind(); got != step.want {
			t.Fatalf("at %v: reminded %q, want %q", c.Now().Sub(testNow), got, step.want)
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

// TestOneReminderPerRound: with remind_after = 0 and room for two
// reminders, one round still reminds each person once, however long it
// runs; the next round may remind them again.
func TestOneReminderPerRound(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, camp := deliveryStore(t, c)
	if _, err := s.AcquireSender(ctx, camp.ID, "run", time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	var ds []campaign.Delivery
	for _, r := range claimAll(t, s, camp.ID, "run", invitations) {
		ds = append(ds, campaign.Delivery{RecipientID: r.ID, Kind: campaign.Invitation, Result: campaign.Delivered, Attempts: 1})
	}
	if err := s.RecordDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	round := campaign.Round{Kind: campaign.Reminder, Reminders: campaign.ReminderPolicy{Max: 2}, Start: c.Now()}
	due, err := s.FindDue(ctx, camp.ID, round, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	// Each reminder is recorded as soon as it is accepted, after the
	// round's start; claiming the round's people again claims no one twice.
	for range 3 {
		rs, err := s.Claim(ctx, camp.ID, "run", round, due, testKey(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			c.Advance(time.Second)
			if err := s.RecordDeliveries(ctx, []campaign.Delivery{{RecipientID: r.ID, Kind: campaign.Reminder, Result: campaign.Delivered, Attempts: 1}}); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
	if sent != len(due) || sent != len(sampleStaff()) {
		t.Errorf("one round sent %d reminders to %d people, want one each", sent, len(due))
	}
	c.Advance(time.Second)
	round.Start = c.Now()
	if again, _ := s.FindDue(ctx, camp.ID, round, testKey(t)); len(again) != len(sampleStaff()) {
		t.Errorf("the next round: %d due, want everyone again (max 2)", len(again))
	}
}
