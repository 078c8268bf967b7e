package reports_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/reports"
)

// tallied is a campaign built in memory for reports.New: every response
// added to the organisation's tally and to its department's sums, as the
// store adds them.
type tallied struct {
	in    campaign.Instrument
	tally *campaign.Tally
	given []given
	sizes []campaign.GroupSize
	camp  *campaign.Campaign
}

func newTallied() *tallied {
	in := testInstrument()
	return &tallied{in: in, tally: campaign.NewTally(&in), camp: &campaign.Campaign{
		Slug: "memory", Name: "Memory", Instrument: in, MinGroupSize: 5,
		CreatedAt: testNow.Add(-48 * time.Hour), ClosedAt: testNow.Add(-time.Hour),
	}}
}

func (tl *tallied) add(dept string, answers map[string]int) {
	r := &campaign.Response{Answers: answers}
	tl.tally.Add(r)
	one := campaign.NewTally(&tl.in)
	one.Add(r)
	tl.tally.AddGroup(one.AsGroup(campaign.GroupKey{Column: campaign.ColumnDepartment, Value: dept}))
	tl.given = append(tl.given, given{department: dept, answers: answers})
}

func (tl *tallied) report(t *testing.T) *reports.Report {
	t.Helper()
	r, err := reports.New(reports.Input{Campaign: tl.camp, GroupSizes: tl.sizes, Tally: tl.tally,
		Status: campaign.Status{Invited: len(tl.given) + 10}}, reports.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDifferencesAfterHolm compares eight departments with the rest of the
// organisation. One of them leans to leading by a margin that a test of
// that group alone would call clear (p < 0.05) but that, with eight groups
// compared, chance alone could give: after Holm's correction it is "no
// clear difference", with the size of the difference still shown. Another
// differs beyond doubt.
func TestDifferencesAfterHolm(t *testing.T) {
	// The seed is one whose data show both cases; the test checks that they do.
	tl := newTallied()
	rng := rand.New(rand.NewPCG(2, 3))
	depts := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	for _, d := range depts {
		shift := 0.0
		switch d {
		case "A":
			shift = 2.2 // beyond doubt
		case "B":
			shift = 0.75 // clear alone, not among eight
		}
		for range 12 {
			lean := [2]float64{2.5 + shift + rng.Float64(), 3 + rng.Float64()}
			tl.add(d, answersFor(rng, &tl.in, lean))
		}
		tl.sizes = append(tl.sizes, campaign.GroupSize{Column: campaign.ColumnDepartment, Value: d, Invited: 14})
	}
	f := &fixture{given: tl.given, in: tl.in}
	r := tl.report(t)

	p := make([]float64, len(depts))
	for i, d := range depts {
		_, p[i] = welchP(f.owns("", func(g given) bool { return g.department == d }), f.owns("", func(g given) bool { return g.department != d }))
	}
	holm := holmSignificant(p)
	if !holm[0] || holm[1] || p[1] >= 0.05 {
		t.Fatalf("the data do not show the two cases (p %v, significant after Holm %v): choose another seed", p, holm)
	}
	for i, g := range r.Groups {
		if g.Value != depts[i] || g.Differs == nil || g.Difference == nil {
			t.Fatalf("group %d: got %+v, want %s with a verdict and a difference", i, g, depts[i])
		}
		want := reports.NoClearDifference
		if holm[i] {
			want = reports.MoreLeadership
			if *g.Difference < 0 {
				want = reports.MoreManagement
			}
		}
		if *g.Differs != want {
			t.Errorf("%s: got %q, want %q (p %.4f, %d groups compared)", g.Value, *g.Differs, want, p[i], len(p))
		}
	}
	if got := *r.Groups[1].Differs + fmt.Sprintf(" %+.1f", *r.Groups[1].Difference); *r.Groups[1].Difference <= 0 || *r.Groups[1].Differs != reports.NoClearDifference {
		t.Errorf("B: got %s, want no clear difference with its positive difference shown", got)
	}
}

// TestGroupsStoredWithoutIndices: a group whose sums were first stored by a
// version of lvm-mail that did not keep the respondents' indices still has
// its overall indices, the mean of its dimension scores, and no interval
// or verdict beyond "no clear difference".
func TestGroupsStoredWithoutIndices(t *testing.T) {
	tl := newTallied()
	rng := rand.New(rand.NewPCG(5, 5))
	for _, d := range []string{"A", "B"} {
		for range 6 {
			tl.add(d, answersFor(rng, &tl.in, [2]float64{3, 3}))
		}
		tl.sizes = append(tl.sizes, campaign.GroupSize{Column: campaign.ColumnDepartment, Value: d, Invited: 6})
	}
	// An old row: three more responses of A, summed without indices.
	old := campaign.NewTally(&tl.in)
	for range 3 {
		old.Add(&campaign.Response{Answers: answersFor(rng, &tl.in, [2]float64{4, 2})})
	}
	g := old.AsGroup(campaign.GroupKey{Column: campaign.ColumnDepartment, Value: "A"})
	g.Indices = campaign.IndexSums{}
	tl.tally.AddGroup(g)

	r := tl.report(t)
	a := r.Groups[0]
	ga, _ := tl.tally.Group(campaign.GroupKey{Column: campaign.ColumnDepartment, Value: "A"})
	wantL, _ := campaign.OverallIndex(ga.Dimensions, campaign.Leadership)
	if a.Value != "A" || a.Leadership == nil || *a.Leadership != r1(wantL) || a.LeadershipCI != nil || a.Differs == nil || *a.Differs != reports.NoClearDifference {
		t.Errorf("A: got leadership %v, interval %v, differs %v; want %v, none, no clear difference", a.Leadership, a.LeadershipCI, a.Differs, r1(wantL))
	}
	if b := r.Groups[1]; b.LeadershipCI == nil || b.Differs == nil {
		t.Errorf("B: got interval %v, differs %v; want both", b.LeadershipCI, b.Differs)
	}
	found := false
	for _, n := range r.Notes {
		found = found || strings.Contains(n, "earlier version")
	}
	if !found {
		t.Errorf("notes %q do not say why A has no interval", r.Notes)
	}
}
