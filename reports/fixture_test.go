package reports_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/reports"
)

// testNow is the fixed clock of the report tests.
var testNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func testKey() *campaign.TokenKey {
	var k campaign.TokenKey
	copy(k[:], "a key for the report tests, 32b!")
	return &k
}

// testInstrument has three dimensions. p has two leadership statements,
// r two management ones, so that pooling answers within a pole matters.
// It has a German translation too.
func testInstrument() campaign.Instrument {
	in := campaign.Instrument{
		Title:   "How we are led and managed",
		Comment: "Anything else?",
		Dimensions: []campaign.Dimension{
			{ID: "p", Name: "People or systems"},
			{ID: "q", Name: "Coach or commander"},
			{ID: "r", Name: "Trust or control"},
		},
		Items: []campaign.Item{
			{ID: "p-l1", Dimension: "p", Pole: campaign.Leadership, Text: "Plans here put the people doing the work first."},
			{ID: "p-l2", Dimension: "p", Pole: campaign.Leadership, Text: "My manager asks how changes will affect us."},
			{ID: "p-m", Dimension: "p", Pole: campaign.Management, Text: "Clear systems decide how work gets done."},
			{ID: "q-l", Dimension: "q", Pole: campaign.Leadership, Text: "My manager helps me work things out myself."},
			{ID: "q-m", Dimension: "q", Pole: campaign.Management, Text: "My manager tells me exactly what to do."},
			{ID: "r-l", Dimension: "r", Pole: campaign.Leadership, Text: "I am trusted to decide how to do my work."},
			{ID: "r-m1", Dimension: "r", Pole: campaign.Management, Text: "My work is checked closely."},
			{ID: "r-m2", Dimension: "r", Pole: campaign.Management, Text: "Mistakes are tracked and followed up."},
		},
	}
	in.SetTranslation(campaign.Translation{
		Language: "de",
		Title:    "Führung und Management bei uns",
		Comment:  "Sonst noch etwas?",
		Dimensions: []campaign.Dimension{
			{ID: "p", Name: "Menschen oder Systeme"},
			{ID: "q", Name: "Coachen oder Anweisen"},
			{ID: "r", Name: "Vertrauen oder Kontrolle"},
		},
		Items: []campaign.ItemText{
			{ID: "p-l1", Text: "Pläne stellen hier die Menschen an erste Stelle, die die Arbeit machen."},
			{ID: "p-l2", Text: "Meine Führungskraft fragt, wie Änderungen uns betreffen."},
			{ID: "p-m", Text: "Klare Systeme bestimmen, wie die Arbeit erledigt wird."},
			{ID: "q-l", Text: "Meine Führungskraft hilft mir, Dinge selbst herauszufinden."},
			{ID: "q-m", Text: "Meine Führungskraft sagt mir genau, was ich tun soll."},
			{ID: "r-l", Text: "Man traut mir zu, selbst zu entscheiden, wie ich arbeite."},
			{ID: "r-m1", Text: "Meine Arbeit wird genau geprüft."},
			{ID: "r-m2", Text: "Fehler werden erfasst und nachverfolgt."},
		},
	})
	return in
}

// A department of the fixture: how many it invites and how many answer.
type department struct {
	name, location     string
	invited, responded int
}

// fixtureDepartments: Finance (3 responses) is too small to show; with it
// hidden alone, its figures would be total minus the rest, so Ops (5, the
// smallest shown) must be hidden too. Legal and HR invite fewer than 5 and
// are pooled; no one there answers. Sales has enough responses (12) for its
// comments to show; Support (6) does not.
var fixtureDepartments = []department{
	{"Sales", "Leeds", 12, 12},
	{"Support", "Leeds", 8, 6},
	{"Ops", "York", 7, 5},
	{"Finance", "York", 6, 3},
	{"Legal", "York", 2, 0},
	{"HR", "York", 2, 0},
}

// grade gives person i of every department a grade, A, B or C in turn, so
// that one breakdown column has three groups large enough to show.
func grade(i int) string { return string(rune('A' + i%3)) }

// personName names person i of a department like a person, so that nothing
// else in a comment is taken for a name.
func personName(dept string, i int) string {
	first := []string{"Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jude", "Kim", "Lars", "Mina"}
	return first[i%len(first)] + " " + dept[:1] + "ellingham"
}

// A given response, as the test recorded it.
type given struct {
	department, location, grade string
	answers                     map[string]int
	comment                     string
}

const hyperlink = `=HYPERLINK("http://evil.example/","Click for your results")`

// answersFor makes answers with a leadership and a management leaning per
// person, plus noise, so that statements of one pole go together.
func answersFor(rng *rand.Rand, in *campaign.Instrument, lean [2]float64) map[string]int {
	out := map[string]int{}
	for _, it := range in.Items {
		base := lean[0]
		if it.Pole == campaign.Management {
			base = lean[1]
		}
		v := int(math.Round(base + rng.NormFloat64()*0.8))
		out[it.ID] = min(max(v, 1), 5)
	}
	return out
}

// fixture is a store with one campaign whose responses are known.
type fixture struct {
	store    *campaign.Store
	campaign *campaign.Campaign
	given    []given
	in       campaign.Instrument
}

func openStore(t testing.TB) *campaign.Store {
	t.Helper()
	s, err := campaign.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"),
		campaign.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newFixture imports the staff, creates campaign name, and records the
// responses of fixtureDepartments. seed varies the answers.
func newFixture(t testing.TB, s *campaign.Store, name string, seed uint64) *fixture {
	t.Helper()
	ctx := context.Background()
	var staff []campaign.StaffMember
	for _, d := range fixtureDepartments {
		for i := range d.invited {
			staff = append(staff, campaign.StaffMember{
				Email: email(d.name, i), Name: personName(d.name, i),
				Department: d.name, Attributes: map[string]string{"location": d.location, "grade": grade(i)}, Active: true,
			})
		}
	}
	if _, err := s.ImportStaff(ctx, staff, campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	in := testInstrument()
	c, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: name, Instrument: in, MinGroupSize: 5,
		Breakdowns: []string{"location", "grade"}}, testKey())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.FindRecipients(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := map[string]string{}
	for _, r := range rs {
		token[r.Email] = r.Token(testKey())
	}
	deliverAll(t, s, c)

	f := &fixture{store: s, campaign: c, in: in}
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, d := range fixtureDepartments {
		for i := range d.responded {
			lean := [2]float64{1 + 4*rng.Float64(), 1 + 4*rng.Float64()}
			if d.name == "Sales" { // Sales sees clearly more leading than the rest
				lean = [2]float64{3.5 + 1.5*rng.Float64(), 1 + 2*rng.Float64()}
			}
			g := given{department: d.name, location: d.location, grade: grade(i), answers: answersFor(rng, &in, lean)}
			switch {
			case d.name == "Support" && i < 2:
				delete(g.answers, "q-l") // two people skip a statement: Support's q leadership rests on 4 answers
			case d.name == "Sales" && i == 0:
				g.comment = hyperlink
			case d.name == "Sales" && i == 1:
				g.comment = "Bell\x07 in the text"
			case d.name == "Sales":
				g.comment = fmt.Sprintf("Sales comment %d", i)
			case d.name == "Support" && i == 2:
				g.comment = "Support has something to say"
			}
			if err := s.RecordResponse(ctx, token[email(d.name, i)], g.answers, g.comment); err != nil {
				t.Fatalf("record response of %s: %v", email(d.name, i), err)
			}
			f.given = append(f.given, g)
		}
	}
	return f
}

// deliverAll records every invitation of the campaign as delivered, as a
// send does.
func deliverAll(t testing.TB, s *campaign.Store, c *campaign.Campaign) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.AcquireSender(ctx, c.ID, "test", time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	round := campaign.Round{Kind: campaign.Invitation}
	ids, err := s.FindDue(ctx, c.ID, round, testKey())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.Claim(ctx, c.ID, "test", round, ids, testKey())
	if err != nil {
		t.Fatal(err)
	}
	var ds []campaign.Delivery
	for _, r := range rs {
		ds = append(ds, campaign.Delivery{RecipientID: r.ID, Kind: campaign.Invitation, Result: campaign.Delivered, Attempts: 1})
	}
	if err := s.RecordDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseSender(ctx, c.ID, "test"); err != nil {
		t.Fatal(err)
	}
}

// email is the address of person i of a department, as the store keeps it.
func email(dept string, i int) string {
	return strings.ToLower(fmt.Sprintf("%s%02d@example.com", dept, i))
}

func (f *fixture) close(t testing.TB) {
	t.Helper()
	if err := f.store.CloseCampaign(context.Background(), f.campaign.ID); err != nil {
		t.Fatal(err)
	}
	c, err := f.store.FindCampaignByID(context.Background(), f.campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.campaign = c
}

// report builds the fixture's report with a fixed clock and seed, in the
// campaign's default language.
func (f *fixture) report(t testing.TB, seed byte) *reports.Report {
	t.Helper()
	return f.reportIn(t, seed, "")
}

// reportIn builds the fixture's report in a language.
func (f *fixture) reportIn(t testing.TB, seed byte, lang string) *reports.Report {
	t.Helper()
	r, err := reports.Load(context.Background(), f.store, f.campaign, reports.Options{
		Now:      func() time.Time { return testNow },
		Rand:     bytes.NewReader(bytes.Repeat([]byte{seed}, 64)),
		Language: lang,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The independent calculation the tests check the report against: plain
// loops over the answers the test gave, two-pass variances, no tallies.

func r1(v float64) float64 { return math.Round(v*10) / 10 }
func r2(v float64) float64 { return math.Round(v*100) / 100 }
func r3(v float64) float64 { return math.Round(v*1000) / 1000 }

// poleIndex returns the 0..100 index of every answer to the statements of
// dimension dim and pole p, among the responses keep accepts, and the share
// of 4s and 5s; ok is false with no answers.
func (f *fixture) poleIndex(dim string, p campaign.Pole, keep func(given) bool) (index, fav float64, ok bool) {
	sum, n, favourable := 0, 0, 0
	for _, g := range f.given {
		if !keep(g) {
			continue
		}
		for _, it := range f.in.Items {
			if v, answered := g.answers[it.ID]; answered && it.Dimension == dim && it.Pole == p {
				sum += v
				n++
				if v >= 4 {
					favourable++
				}
			}
		}
	}
	if n == 0 {
		return 0, 0, false
	}
	return (float64(sum)/float64(n) - 1) / 4 * 100, float64(favourable) / float64(n), true
}

// own returns a person's own index of a pole: the index of the mean, over
// the dimensions they answered that pole's statements in, of their mean
// answer there; false when they answered none.
func (f *fixture) own(g given, p campaign.Pole) (float64, bool) {
	total, dims := 0.0, 0
	for _, d := range f.in.Dimensions {
		sum, n := 0, 0
		for _, it := range f.in.Items {
			if v, ok := g.answers[it.ID]; ok && it.Dimension == d.ID && it.Pole == p {
				sum += v
				n++
			}
		}
		if n > 0 {
			total += float64(sum) / float64(n)
			dims++
		}
	}
	if dims == 0 {
		return 0, false
	}
	return (total/float64(dims) - 1) / 4 * 100, true
}

// owns returns the own indices of a pole, or with "" the own balances, of
// the people keep accepts.
func (f *fixture) owns(p campaign.Pole, keep func(given) bool) []float64 {
	var out []float64
	for _, g := range f.given {
		if !keep(g) {
			continue
		}
		l, okL := f.own(g, campaign.Leadership)
		m, okM := f.own(g, campaign.Management)
		switch {
		case p == campaign.Leadership && okL:
			out = append(out, l)
		case p == campaign.Management && okM:
			out = append(out, m)
		case p == "" && okL && okM:
			out = append(out, l-m)
		}
	}
	return out
}

// overall returns the overall index of a pole among the people keep
// accepts: the mean of their own indices.
func (f *fixture) overall(p campaign.Pole, keep func(given) bool) float64 {
	m, _ := meanVar(f.owns(p, keep))
	return m
}

// meanVar returns the mean and the sample variance, in two passes.
func meanVar(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}

// interval returns the rounded 95% interval of the mean of xs, drawn from
// invited people, kept within lo..hi. Student's t quantile comes from
// campaign, checked on its own against independent values.
func interval(xs []float64, invited int, lo, hi float64) [2]float64 {
	m, v := meanVar(xs)
	n := float64(len(xs))
	half := campaign.StudentTQuantile(0.975, n-1) * math.Sqrt(v/n*(1-n/float64(invited)))
	return [2]float64{r1(max(m-half, lo)), r1(min(m+half, hi))}
}

// welchP returns the difference of the means of a and b and the two-sided
// p-value of Welch's test, worked out from the values.
func welchP(a, b []float64) (diff, p float64) {
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	sa, sb := va/float64(len(a)), vb/float64(len(b))
	t := (ma - mb) / math.Sqrt(sa+sb)
	df := (sa + sb) * (sa + sb) / (sa*sa/float64(len(a)-1) + sb*sb/float64(len(b)-1))
	return ma - mb, campaign.StudentTTwoSided(t, df)
}

func everyone(given) bool { return true }

// alpha computes Cronbach's alpha of one pole with population variances,
// listwise, in two passes.
func (f *fixture) alpha(p campaign.Pole) float64 {
	var ids []string
	for _, it := range f.in.Items {
		if it.Pole == p {
			ids = append(ids, it.ID)
		}
	}
	var rows [][]float64
	for _, g := range f.given {
		row := make([]float64, len(ids))
		complete := true
		for i, id := range ids {
			v, ok := g.answers[id]
			complete = complete && ok
			row[i] = float64(v)
		}
		if complete {
			rows = append(rows, row)
		}
	}
	variance := func(col func([]float64) float64) float64 {
		mean := 0.0
		for _, r := range rows {
			mean += col(r)
		}
		mean /= float64(len(rows))
		ss := 0.0
		for _, r := range rows {
			ss += (col(r) - mean) * (col(r) - mean)
		}
		return ss / float64(len(rows))
	}
	items := 0.0
	for i := range ids {
		items += variance(func(r []float64) float64 { return r[i] })
	}
	total := variance(func(r []float64) float64 {
		s := 0.0
		for _, v := range r {
			s += v
		}
		return s
	})
	k := float64(len(ids))
	return k / (k - 1) * (1 - items/total)
}

// holmSignificant says which of m tests are significant at 0.05 by Holm's
// step-down rule: in ascending order of p, the i-th (from 0) is while
// (m − i)·p ≤ 0.05, and none after the first that is not.
func holmSignificant(p []float64) []bool {
	byP := make([]int, len(p))
	for i := range byP {
		byP[i] = i
	}
	slices.SortFunc(byP, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	out := make([]bool, len(p))
	for rank, i := range byP {
		if float64(len(p)-rank)*p[i] > 0.05 {
			break
		}
		out[i] = true
	}
	return out
}
