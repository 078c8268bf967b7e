package campaign_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func TestMessageIDRoundTrip(t *testing.T) {
	c := &campaign.Campaign{ID: 3, CreatedAt: time.Date(2026, 10, 30, 8, 0, 0, 0, time.UTC)}
	now := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	test := campaign.NewMessageRef(c, 17, campaign.Invitation, 0)
	test.Test = true
	for _, tc := range []struct {
		ref  campaign.MessageRef
		want string
	}{
		{campaign.NewMessageRef(c, 17, campaign.Invitation, 0), "lvm-mail.invitation.r17.c3-1793347200@example.com"},
		{campaign.NewMessageRef(c, 17, campaign.Reminder, 2), "lvm-mail.reminder2.r17.c3-1793347200@example.com"},
		{test, "lvm-mail.test-1793611800000000000.lvm-mail.invitation.r17.c3-1793347200@example.com"},
	} {
		id := tc.ref.MessageID("example.com", now)
		if id != tc.want {
			t.Errorf("got %q, want %q", id, tc.want)
		}
		got, ok := campaign.ParseMessageID("<" + id + ">")
		if !ok || got != tc.ref {
			t.Errorf("ParseMessageID(%q) = %+v, %v; want %+v", id, got, ok, tc.ref)
		}
		if !got.Of(c) || got.Of(&campaign.Campaign{ID: 3, CreatedAt: c.CreatedAt.Add(time.Second)}) {
			t.Errorf("%q: Of does not tell this campaign from one with the same id made at another time", id)
		}
	}
	for _, bad := range []string{"", "<abc@example.com>", "lvm-mail.invitation.r17@example.com", "lvm-mail.reminder.r17.c3-1@x",
		"lvm-mail.reminder0.r17.c3-1@x", "lvm-mail.letter.r17.c3-1@x", "lvm-mail.invitation.rX.c3-1@x", "lvm-mail.invitation.r1.c3@x",
		"lvm-mail.test-5.invitation.r1.c3-1@x", "lvm-mail.invitation.r1.c3-1"} {
		if ref, ok := campaign.ParseMessageID(bad); ok {
			t.Errorf("ParseMessageID(%q) = %+v, want no match", bad, ref)
		}
	}
}

// sentStore is a campaign whose six invitations were all delivered.
func sentStore(t *testing.T) (*campaign.Store, *campaign.Campaign, map[string]campaign.Recipient, string) {
	t.Helper()
	ctx := context.Background()
	s, camp, path := deliveryStoreAt(t, newClock())
	if _, err := s.AcquireSender(ctx, camp.ID, "run", time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	rs := claimAll(t, s, camp.ID, "run", invitations)
	byEmail := map[string]campaign.Recipient{}
	var ds []campaign.Delivery
	for _, r := range rs {
		byEmail[r.Email] = r
		ds = append(ds, campaign.Delivery{RecipientID: r.ID, Kind: campaign.Invitation, Result: campaign.Delivered, Reply: "250 OK", Attempts: 1})
	}
	if err := s.RecordDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseSender(ctx, camp.ID, "run"); err != nil {
		t.Fatal(err)
	}
	return s, camp, byEmail, path
}

func status(t *testing.T, s *campaign.Store, c *campaign.Campaign) campaign.Status {
	t.Helper()
	st, err := s.CampaignStatus(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOptOut(t *testing.T) {
	ctx := context.Background()
	s, camp, byEmail, path := sentStore(t)
	toks := tokens(t, s, camp)
	policy := campaign.ReminderPolicy{Max: 3, After: 0}

	opted, c, err := s.FindOptOut(ctx, toks["ann@example.com"])
	if err != nil || opted || c.ID != camp.ID {
		t.Fatalf("before: FindOptOut = %v, %v, %v; want false, the campaign, nil", opted, c, err)
	}
	for range 2 { // twice is the same as once
		if c, err := s.OptOut(ctx, toks["ann@example.com"]); err != nil || c.ID != camp.ID {
			t.Fatalf("OptOut = %v, %v", c, err)
		}
	}
	if opted, _, err := s.FindOptOut(ctx, toks["ann@example.com"]); err != nil || !opted {
		t.Errorf("after: FindOptOut = %v, %v; want true", opted, err)
	}
	if _, err := s.OptOut(ctx, strings.Repeat("A", 43)); !errors.Is(err, campaign.ErrTokenUnknown) {
		t.Errorf("unknown token: got %v, want ErrTokenUnknown", err)
	}

	due, err := s.FindDue(ctx, camp.ID, campaign.Round{Kind: campaign.Reminder, Reminders: policy, Start: testNow.Add(time.Minute)}, testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(due, byEmail["ann@example.com"].ID) || !slices.Contains(due, byEmail["bob@example.com"].ID) || len(due) != 5 {
		t.Errorf("reminders due %v: want everyone but ann (%d)", due, byEmail["ann@example.com"].ID)
	}
	if st := status(t, s, camp); st.OptedOut != 1 {
		t.Errorf("status opted_out = %d, want 1", st.OptedOut)
	}
	// Opting out marks one row and nothing else.
	if n := countRows(t, path, `SELECT count(*) FROM recipients WHERE opted_out = 1`); n != 1 {
		t.Errorf("%d recipients opted out, want 1", n)
	}

	// The link still takes the person's answers.
	items := camp.Instrument.Items
	if err := s.RecordResponse(ctx, toks["ann@example.com"], map[string]int{items[0].ID: 4}, ""); err != nil {
		t.Errorf("an opted-out person cannot answer: %v", err)
	}
}

func TestRecordBounce(t *testing.T) {
	ctx := context.Background()
	s, camp, byEmail, _ := sentStore(t)
	ref := func(email string) campaign.MessageRef {
		return campaign.NewMessageRef(camp, byEmail[email].ID, campaign.Invitation, 0)
	}
	record := func(b campaign.Bounce, want campaign.BounceResult) {
		t.Helper()
		got, err := s.RecordBounce(ctx, b)
		if err != nil || got.Result != want || byEmail[got.Email].ID != b.Message.RecipientID {
			t.Errorf("RecordBounce(%s): got %+v, %v; want %v", b.Report, got, err, want)
		}
	}
	hard := campaign.Bounce{Report: "dsn-1", Message: ref("ann@example.com"), Permanent: true, Status: "5.1.1", Diagnostic: "550 5.1.1 no such user"}
	record(hard, campaign.BounceFailed)
	record(hard, campaign.BounceSeen)
	again := hard
	again.Report = "dsn-2" // another report on the same person
	record(again, campaign.BounceCounted)
	soft := campaign.Bounce{Report: "dsn-3", Message: ref("bob@example.com"), Status: "4.2.2", Diagnostic: "452 4.2.2 mailbox full"}
	record(soft, campaign.BounceCounted)
	record(soft, campaign.BounceSeen)

	st := status(t, s, camp)
	if st.Sent != 5 || st.Failed != 1 || st.Bounced != 1 || st.SoftBounced != 1 {
		t.Errorf("status: sent %d failed %d bounced %d soft %d; want 5 1 1 1", st.Sent, st.Failed, st.Bounced, st.SoftBounced)
	}
	if len(st.Failures) != 1 || st.Failures[0].Email != "ann@example.com" || st.Failures[0].Reply != "bounced: 5.1.1 550 5.1.1 no such user" {
		t.Errorf("failures: %+v", st.Failures)
	}
	if len(st.SoftBounces) != 1 || st.SoftBounces[0].Email != "bob@example.com" || !strings.Contains(st.SoftBounces[0].Reply, "mailbox full") {
		t.Errorf("soft bounces: %+v", st.SoftBounces)
	}

	for name, b := range map[string]campaign.Bounce{
		"other database": {Report: "x1", Message: campaign.MessageRef{Kind: campaign.Invitation, RecipientID: byEmail["cat@example.com"].ID,
			CampaignID: camp.ID, CampaignCreated: camp.CreatedAt.Unix() + 1}, Permanent: true, Status: "5.1.1"},
		"no such recipient": {Report: "x2", Message: campaign.MessageRef{Kind: campaign.Invitation, RecipientID: 999,
			CampaignID: camp.ID, CampaignCreated: camp.CreatedAt.Unix()}, Permanent: true, Status: "5.1.1"},
	} {
		if _, err := s.RecordBounce(ctx, b); !errors.Is(err, campaign.ErrRecipientNotFound) {
			t.Errorf("%s: got %v, want ErrRecipientNotFound", name, err)
		}
	}
	if st := status(t, s, camp); st.Failed != 1 {
		t.Errorf("a bounce for another database failed someone: %d failed", st.Failed)
	}
}

// countRows runs a count query straight on the database file.
func countRows(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
