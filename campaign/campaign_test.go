package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// smallInstrument is a valid two-dimension instrument.
func smallInstrument() campaign.Instrument {
	return campaign.Instrument{
		Title: "Test survey",
		Dimensions: []campaign.Dimension{
			{ID: "focus", Name: "People or systems"},
			{ID: "trust", Name: "Trust or control"},
		},
		Items: []campaign.Item{
			{ID: "focus-l", Dimension: "focus", Pole: campaign.Leadership, Text: "People first."},
			{ID: "focus-m", Dimension: "focus", Pole: campaign.Management, Text: "Systems first."},
			{ID: "trust-l", Dimension: "trust", Pole: campaign.Leadership, Text: "I am trusted."},
			{ID: "trust-m", Dimension: "trust", Pole: campaign.Management, Text: "I am checked."},
		},
	}
}

// createCampaign imports sampleStaff and creates a campaign for them.
func createCampaign(t *testing.T, s *campaign.Store, name string, where ...campaign.Condition) *campaign.Campaign {
	t.Helper()
	ctx := context.Background()
	if _, err := s.ImportStaff(ctx, sampleStaff(), campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCampaign(ctx, campaign.NewCampaign{
		Name: name, Instrument: smallInstrument(), Where: where, MinGroupSize: 3, Breakdowns: []string{"Location"},
	}, testKey(t))
	if err != nil {
		t.Fatalf("create campaign: %v", err)
	}
	return c
}

func TestCreateCampaign(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := createCampaign(t, s, "  Q4 Pulse 2026 ", campaign.Condition{Column: "department", Value: "Sales"})
	if c.Slug != "q4-pulse-2026" || c.Name != "Q4 Pulse 2026" {
		t.Errorf("got slug %q name %q, want q4-pulse-2026 and the trimmed name", c.Slug, c.Name)
	}
	if len(c.Instrument.Items) != 4 || c.Instrument.Items[3].Text != "I am checked." {
		t.Errorf("instrument snapshot not stored: %+v", c.Instrument)
	}
	if !c.CreatedAt.Equal(testNow) {
		t.Errorf("got created %v, want %v", c.CreatedAt, testNow)
	}
	st, err := s.CampaignStatus(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	want := campaign.Status{Campaign: "q4-pulse-2026", Invited: 3, Pending: 3, Failures: []campaign.Failure{}}
	if st.Campaign != want.Campaign || st.Invited != want.Invited || st.Pending != want.Pending || st.Sent != 0 || st.Responded != 0 {
		t.Errorf("got status %+v, want %+v", st, want)
	}
	sizes, err := s.FindGroupSizes(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantSizes := []campaign.GroupSize{
		{Column: "department", Value: "Sales", Invited: 3},
		{Column: "location", Value: "Leeds", Invited: 2, Pooled: true}, // below the minimum of 3
		{Column: "location", Value: "York", Invited: 1, Pooled: true},
	}
	if len(sizes) != len(wantSizes) {
		t.Fatalf("got group sizes %+v, want %+v", sizes, wantSizes)
	}
	for i := range sizes {
		if sizes[i] != wantSizes[i] {
			t.Errorf("group %d: got %+v, want %+v", i, sizes[i], wantSizes[i])
		}
	}

	for _, ref := range []string{"q4-pulse-2026", "Q4 Pulse 2026", "1"} {
		got, err := s.FindCampaign(ctx, ref)
		if err != nil || got.ID != c.ID {
			t.Errorf("FindCampaign(%q) = %v, %v; want campaign %d", ref, got, err, c.ID)
		}
	}
	if _, err := s.FindCampaign(ctx, "nope"); !errors.Is(err, campaign.ErrCampaignNotFound) {
		t.Errorf("FindCampaign(nope): got %v, want ErrCampaignNotFound", err)
	}
}

func TestCreateCampaignRefusals(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	createCampaign(t, s, "Pulse")
	create := func(nc campaign.NewCampaign) error {
		if nc.Instrument.Title == "" {
			nc.Instrument = smallInstrument()
		}
		if nc.MinGroupSize == 0 {
			nc.MinGroupSize = 5
		}
		_, err := s.CreateCampaign(ctx, nc, testKey(t))
		return err
	}
	misspelt := smallInstrument()
	misspelt.Items[1].Pole = "managment"
	var other campaign.TokenKey

	tests := []struct {
		name string
		err  error
		want error
	}{
		{"ErrCampaignExists", create(campaign.NewCampaign{Name: "PULSE!"}), campaign.ErrCampaignExists},
		{"ErrNoRecipients", create(campaign.NewCampaign{Name: "Legal", Where: []campaign.Condition{{Column: "department", Value: "Legal"}}}), campaign.ErrNoRecipients},
		{"ErrUnknownColumn", create(campaign.NewCampaign{Name: "Floor", Where: []campaign.Condition{{Column: "floor", Value: "2"}}}), campaign.ErrUnknownColumn},
		{"ErrTokenKeyMismatch", func() error {
			_, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Key", Instrument: smallInstrument(), MinGroupSize: 5}, &other)
			return err
		}(), campaign.ErrTokenKeyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) {
				t.Errorf("got %v, want %v", tt.err, tt.want)
			}
		})
	}
	inputErrors := []struct {
		name string
		nc   campaign.NewCampaign
	}{
		{"MisspeltPole", campaign.NewCampaign{Name: "Bad pole", Instrument: misspelt}},
		{"NoSlug", campaign.NewCampaign{Name: "!!!"}},
		{"GroupTooSmall", campaign.NewCampaign{Name: "Tiny", MinGroupSize: 2}},
		{"ClosesInThePast", campaign.NewCampaign{Name: "Past", ClosesAt: testNow.Add(-time.Hour)}},
	}
	for _, tt := range inputErrors {
		t.Run(tt.name, func(t *testing.T) {
			var ie *campaign.InputError
			if err := create(tt.nc); !errors.As(err, &ie) {
				t.Errorf("got %v, want an *InputError", err)
			}
		})
	}
	camps, err := s.FindCampaigns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(camps) != 1 {
		t.Errorf("got %d campaigns after the refusals, want only the first", len(camps))
	}
}

func TestCloseCampaign(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := createCampaign(t, s, "Pulse")
	if c.Closed(testNow) || c.State(testNow) != "open" {
		t.Fatalf("a new campaign is %s", c.State(testNow))
	}
	if err := s.CloseCampaign(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseCampaign(ctx, c.ID); !errors.Is(err, campaign.ErrCampaignClosed) {
		t.Errorf("closing twice: got %v, want ErrCampaignClosed", err)
	}
	c, err := s.FindCampaignByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Closed(testNow) || !c.ClosingDate().Equal(testNow) {
		t.Errorf("after close: closed=%v closing date %v, want true and %v", c.Closed(testNow), c.ClosingDate(), testNow)
	}
	camps, err := s.FindCampaigns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(camps) != 1 || camps[0].Invited != 6 || camps[0].State(testNow) != "closed" {
		t.Errorf("got %+v, want one closed campaign with 6 invited", camps)
	}
}

func TestClosesAt(t *testing.T) {
	c := campaign.Campaign{ClosesAt: testNow}
	if c.Closed(testNow.Add(-time.Second)) || !c.Closed(testNow) {
		t.Errorf("a campaign closing at %v must be open just before and closed at that time", testNow)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Q4 Pulse 2026":         "q4-pulse-2026",
		"  Spring -- check-in ": "spring-check-in",
		"Umfrage für Zürich":    "umfrage-für-zürich",
		"!!!":                   "",
	} {
		if got := campaign.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindRecipients(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := createCampaign(t, s, "Pulse", campaign.Condition{Column: "location", Value: "york"})
	rs, err := s.FindRecipients(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d recipients, want the 3 in York", len(rs))
	}
	tokens := map[string]bool{}
	for _, r := range rs {
		if r.State != campaign.StatePending || r.Responded || r.Groups["location"] != "York" {
			t.Errorf("new recipient %+v", r)
		}
		tokens[r.Token(testKey(t))] = true
	}
	if len(tokens) != 3 {
		t.Errorf("got %d distinct tokens for 3 recipients", len(tokens))
	}
	r, err := s.FindRecipientByEmail(ctx, c.ID, " BOB@example.com")
	if err != nil || r.Name != "Bob Baker" {
		t.Errorf("FindRecipientByEmail = %+v, %v", r, err)
	}
	if _, err := s.FindRecipientByEmail(ctx, c.ID, "ann@example.com"); !errors.Is(err, campaign.ErrRecipientNotFound) {
		t.Errorf("a person not invited: got %v, want ErrRecipientNotFound", err)
	}
}

func TestCreateCampaignBreakdowns(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := createCampaign(t, s, "Pulse")
	if got, err := s.FindCampaignByID(ctx, c.ID); err != nil || !slices.Equal(got.Breakdowns, []string{"location"}) {
		t.Errorf("got breakdowns %v (%v), want [location], normalised and stored", got.Breakdowns, err)
	}
	sizes, err := s.FindGroupSizes(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range sizes {
		if g.Column != "department" && g.Column != "location" {
			t.Errorf("got a group of column %q, want only department and location", g.Column)
		}
	}
	unique := sampleStaff()
	for i := range unique {
		unique[i].Attributes["badge"] = fmt.Sprint(100 + i)
	}
	if _, err := s.ImportStaff(ctx, unique, campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		breakdowns []string
		check      func(error) bool
	}{
		{"MostlyUnique", []string{"location", "Badge"}, func(err error) bool {
			ie, ok := errors.AsType[*campaign.InputError](err)
			return ok && len(ie.Problems) == 1 && ie.Problems[0].Field == "badge"
		}},
		{"NamesAPerson", []string{"email"}, func(err error) bool { _, ok := errors.AsType[*campaign.InputError](err); return ok }},
		{"ErrUnknownColumn", []string{"floor"}, func(err error) bool { return errors.Is(err, campaign.ErrUnknownColumn) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: tc.name, Instrument: smallInstrument(), MinGroupSize: 3,
				Breakdowns: tc.breakdowns}, testKey(t))
			if !tc.check(err) {
				t.Errorf("got %v", err)
			}
			if _, err := s.FindCampaign(ctx, tc.name); !errors.Is(err, campaign.ErrCampaignNotFound) {
				t.Errorf("a refused campaign was stored: %v", err)
			}
		})
	}
}
