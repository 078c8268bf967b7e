package campaign_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// wantMoments fails unless m has n values with the sum and sum of squares.
func wantMoments(t *testing.T, what string, m campaign.Moments, n int, sum, sumSq float64) {
	t.Helper()
	if m.N != n || !near(m.Sum, sum) || !near(m.SumSq, sumSq) {
		t.Errorf("%s: got %+v, want n %d, sum %v, sum of squares %v", what, m, n, sum, sumSq)
	}
}

// TestRespondentIndices works the respondents' own indices of
// scoreResponses through by hand. Each person's leadership index is the
// index of the mean of their mean answers per dimension:
//
//	1 (A): L a2 b3 → 2.5 → 37.5; M c5 d4 → 4.5 → 87.5; balance −50
//	2 (A): L 3 3 → 50;            M 4 4 → 75;           balance −25
//	3 (B): L 4 5 → 87.5;          M 2 2 → 25;           balance 62.5
//	4 (B): L 5 5 → 100;           M 1 2 → 12.5;         balance 87.5
//	5 (B): L a5 → 100;            M d3 (c9 is off the scale) → 50; balance 50
//
// The overall leadership index is their mean, 75: with the fifth person's
// skipped statements, not the mean of the dimension scores (72.5).
func TestRespondentIndices(t *testing.T) {
	in := scoreInstrument()
	tally := tallyScoreResponses()
	sq := func(xs ...float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x * x
		}
		return s
	}
	all := tally.Indices()
	if all.Respondents != 5 {
		t.Errorf("got %d respondents, want 5", all.Respondents)
	}
	wantMoments(t, "leadership", all.Leadership, 5, 375, sq(37.5, 50, 87.5, 100, 100))
	wantMoments(t, "management", all.Management, 5, 250, sq(87.5, 75, 25, 12.5, 50))
	wantMoments(t, "balance", all.Balance, 5, 125, sq(-50, -25, 62.5, 87.5, 50))
	if l, _ := all.Leadership.Mean(); !near(l, 75) {
		t.Errorf("overall leadership: got %v, want 75", l)
	}

	a, _ := tally.Group(campaign.GroupKey{Column: "department", Value: "A"})
	wantMoments(t, "A leadership", a.Indices.Leadership, 2, 87.5, sq(37.5, 50))
	wantMoments(t, "A balance", a.Indices.Balance, 2, -75, sq(-50, -25))
	b, _ := tally.Group(campaign.GroupKey{Column: "department", Value: "B"})
	if rest := all.Minus(a.Indices); rest != b.Indices {
		t.Errorf("everyone minus A: got %+v, want B's sums %+v", rest, b.Indices)
	}
	if !a.IndicesComplete() || !b.IndicesComplete() {
		t.Error("groups summed from responses say their indices are incomplete")
	}

	t.Run("OnePoleOnly", func(t *testing.T) {
		one := campaign.NewTally(&in)
		one.Add(&campaign.Response{Answers: map[string]int{"a": 4}})
		got := one.Indices()
		if got.Respondents != 1 || got.Leadership.N != 1 || got.Management.N != 0 || got.Balance.N != 0 {
			t.Errorf("got %+v, want a leadership index only", got)
		}
	})
}

// TestGroupSumsKeepIndices records responses and reads the groups' sums
// back from the store: they hold the sums of each respondent's own
// indices, and no more than sums.
func TestGroupSumsKeepIndices(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	s := openStoreAt(t, path)
	c := createCampaign(t, s, "Pulse") // min group size 3: Sales (ann, bob, cat) is kept
	tok := tokens(t, s, c)
	given := map[string]map[string]int{
		"ann@example.com": {"focus-l": 5, "trust-l": 4, "focus-m": 2, "trust-m": 1}, // L 87.5, M 12.5
		"bob@example.com": {"focus-l": 2, "focus-m": 4},                             // L 25, M 75
		"cat@example.com": {"trust-m": 3},                                           // M 50 only
	}
	for email, answers := range given {
		if err := s.RecordResponse(ctx, tok[email], answers, ""); err != nil {
			t.Fatal(err)
		}
	}
	sales := findGroup(t, s, c, "department", "Sales")
	if sales.Responses != 3 || sales.Indices.Respondents != 3 || !sales.IndicesComplete() {
		t.Fatalf("Sales: got %+v, want three responses summed", sales)
	}
	wantMoments(t, "Sales leadership", sales.Indices.Leadership, 2, 112.5, 87.5*87.5+25*25)
	wantMoments(t, "Sales management", sales.Indices.Management, 3, 137.5, 12.5*12.5+75*75+50*50)
	wantMoments(t, "Sales balance", sales.Indices.Balance, 2, 25, 75*75+50*50)

	t.Run("StoredBeforeIndices", func(t *testing.T) {
		// A row written by a version of lvm-mail without the sums: one
		// response, no indices. The next response adds its own; the group
		// then says its sums are incomplete rather than pass them off as all.
		db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = db.Exec(`UPDATE group_tallies SET tally = ? WHERE campaign_id = ? AND column = 'location' AND value = 'York'`,
			`{"responses":1,"dimensions":[{"ID":"focus","Respondents":1,"Leadership":{"Respondents":1,"Answers":1,"Sum":2,"Favourable":0},`+
				`"Management":{"Respondents":1,"Answers":1,"Sum":4,"Favourable":1}},{"ID":"trust","Respondents":0}]}`, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordResponse(ctx, tok["eve@example.com"], map[string]int{"trust-l": 3}, ""); err != nil {
			t.Fatal(err)
		}
		york := findGroup(t, s, c, "location", "York")
		if york.Responses != 2 || york.Indices.Respondents != 1 || york.IndicesComplete() {
			t.Errorf("York: got %d responses, indices of %d (complete %v); want 2, 1, false", york.Responses, york.Indices.Respondents, york.IndicesComplete())
		}
	})
}

func findGroup(t *testing.T, s *campaign.Store, c *campaign.Campaign, column, value string) campaign.GroupTally {
	t.Helper()
	groups, err := s.FindGroupTallies(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if g.Column == column && g.Value == value {
			return g
		}
	}
	t.Fatalf("no group %s=%s in %+v", column, value, groups)
	return campaign.GroupTally{}
}
