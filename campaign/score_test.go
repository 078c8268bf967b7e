package campaign_test

import (
	"math"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestIndex(t *testing.T) {
	for _, tt := range []struct{ mean, want float64 }{
		{1, 0}, {5, 100}, {3, 50}, {3.8, 70}, {4, 75}, {2.5, 37.5},
	} {
		if got := campaign.Index(tt.mean); !near(got, tt.want) {
			t.Errorf("Index(%v): got %v, want %v", tt.mean, got, tt.want)
		}
	}
}

func TestQuadrantOf(t *testing.T) {
	tests := []struct {
		name string
		l, m float64
		want campaign.Quadrant
	}{
		{"BothHigh", 70, 60, campaign.LeadsAndManages},
		{"BothAtMidpoint", 50, 50, campaign.LeadsAndManages},
		{"LeaderLed", 50, 49.9, campaign.LeaderLed},
		{"ManagerRun", 10, 90, campaign.ManagerRun},
		{"ManagerRunAtMidpoint", 49.9, 50, campaign.ManagerRun},
		{"Neither", 49.9, 0, campaign.Neither},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := campaign.QuadrantOf(tt.l, tt.m); got != tt.want {
				t.Errorf("QuadrantOf(%v, %v): got %q, want %q", tt.l, tt.m, got, tt.want)
			}
		})
	}
}

func TestResponseRate(t *testing.T) {
	if r, ok := campaign.ResponseRate(3, 12); !ok || !near(r, 0.25) {
		t.Errorf("ResponseRate(3, 12): got %v, %v; want 0.25, true", r, ok)
	}
	if _, ok := campaign.ResponseRate(0, 0); ok {
		t.Error("ResponseRate(0, 0): got ok, want false: no one was invited")
	}
}

func TestDifferenceReliability(t *testing.T) {
	tests := []struct {
		name                        string
		varX, varY, cov, relX, relY float64
		want                        float64
		ok                          bool
	}{
		// Uncorrelated, equal variances: the mean of the reliabilities.
		{"Uncorrelated", 1, 1, 0, 0.8, 0.6, 0.7, true},
		// Correlated scores make a less reliable difference:
		// (0.8 + 0.8 − 1) / (2 − 1) = 0.6.
		{"Correlated", 1, 1, 0.5, 0.8, 0.8, 0.6, true},
		// Perfectly reliable scores give a perfectly reliable difference.
		{"Perfect", 2, 3, 1, 1, 1, 1, true},
		{"NoVariance", 1, 1, 1, 0.8, 0.8, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := campaign.DifferenceReliability(tt.varX, tt.varY, tt.cov, tt.relX, tt.relY)
			if ok != tt.ok || ok && !near(got, tt.want) {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// scoreInstrument has two dimensions, x and y, with one statement of each
// pole: a and c in x, b and d in y; a and b are leadership.
func scoreInstrument() campaign.Instrument {
	return campaign.Instrument{
		Title:      "Score test",
		Dimensions: []campaign.Dimension{{ID: "x", Name: "X"}, {ID: "y", Name: "Y"}},
		Items: []campaign.Item{
			{ID: "a", Dimension: "x", Pole: campaign.Leadership, Text: "A"},
			{ID: "b", Dimension: "y", Pole: campaign.Leadership, Text: "B"},
			{ID: "c", Dimension: "x", Pole: campaign.Management, Text: "C"},
			{ID: "d", Dimension: "y", Pole: campaign.Management, Text: "D"},
		},
	}
}

// A scoredResponse is a response with the department and comment that the
// store keeps apart from it.
type scoredResponse struct {
	department string
	campaign.Response
	comment string
}

// scoreResponses are five responses worked through by hand below. The fifth
// skips b and c, so it is left out of both alphas (listwise).
func scoreResponses() []scoredResponse {
	return []scoredResponse{
		{"A", campaign.Response{Answers: map[string]int{"a": 2, "b": 3, "c": 5, "d": 4}}, "  hello \n"},
		{"A", campaign.Response{Answers: map[string]int{"a": 3, "b": 3, "c": 4, "d": 4}}, " "},
		{"B", campaign.Response{Answers: map[string]int{"a": 4, "b": 5, "c": 2, "d": 2}}, ""},
		{"B", campaign.Response{Answers: map[string]int{"a": 5, "b": 5, "c": 1, "d": 2, "gone": 3}}, ""},
		{"B", campaign.Response{Answers: map[string]int{"a": 5, "d": 3, "c": 9}}, ""},
	}
}

// tallyScoreResponses tallies scoreResponses, each also summed into its
// department and its comment kept, as the store does.
func tallyScoreResponses() *campaign.Tally {
	in := scoreInstrument()
	tally := campaign.NewTally(&in)
	for _, r := range scoreResponses() {
		tally.Add(&r.Response)
		one := campaign.NewTally(&in)
		one.Add(&r.Response)
		tally.AddGroup(one.AsGroup(campaign.GroupKey{Column: "department", Value: r.department}))
		tally.AddComment(campaign.Comment{Text: r.comment, Department: r.department})
	}
	return tally
}

func TestTally(t *testing.T) {
	tally := tallyScoreResponses()
	if got := tally.Responses(); got != 5 {
		t.Errorf("got %d responses, want 5", got)
	}

	// Dimension x, leadership (a): 2 3 4 5 5, mean 3.8, index 70, 3 of 5
	// favourable. Management (c): 5 4 2 1 (the 9 is off the scale), mean 3,
	// index 50, 2 of 4 favourable. Dimension y, leadership (b): 3 3 5 5,
	// index 75, 2 of 4; management (d): 4 4 2 2 3, index 50, 2 of 5.
	dims := tally.Dimensions()
	tests := []struct {
		dim, pole        int
		index, fav       float64
		respondents, ans int
	}{
		{0, 0, 70, 0.6, 5, 5},
		{0, 1, 50, 0.5, 4, 4},
		{1, 0, 75, 0.5, 4, 4},
		{1, 1, 50, 0.4, 5, 5},
	}
	for _, tt := range tests {
		pt := dims[tt.dim].Pole(campaign.Poles[tt.pole])
		idx, _ := pt.Index()
		fav, _ := pt.Favourability()
		if !near(idx, tt.index) || !near(fav, tt.fav) || pt.Respondents != tt.respondents || pt.Answers != tt.ans {
			t.Errorf("dimension %s %s: got index %v, favourable %v, %d respondents, %d answers; want %v, %v, %d, %d",
				dims[tt.dim].ID, campaign.Poles[tt.pole], idx, fav, pt.Respondents, pt.Answers, tt.index, tt.fav, tt.respondents, tt.ans)
		}
	}
	for _, d := range dims {
		if d.Respondents != 5 {
			t.Errorf("dimension %s: got n %d, want 5", d.ID, d.Respondents)
		}
	}
	l, _ := campaign.OverallIndex(dims, campaign.Leadership)
	m, _ := campaign.OverallIndex(dims, campaign.Management)
	if !near(l, 72.5) || !near(m, 50) {
		t.Errorf("overall: got L %v, M %v; want 72.5, 50", l, m)
	}
	if q := campaign.QuadrantOf(l, m); q != campaign.LeadsAndManages {
		t.Errorf("got quadrant %q, want %q", q, campaign.LeadsAndManages)
	}

	// Item a: 2 3 4 5 5; mean 3.8; squared deviations 6.8; sd √(6.8/4).
	a := tally.Items()[0]
	mean, _ := a.Mean()
	sd, _ := a.SD()
	if a.N() != 5 || !near(mean, 3.8) || !near(sd, math.Sqrt(1.7)) || a.Counts != [5]int{0, 1, 1, 1, 2} {
		t.Errorf("item a: got n %d, mean %v, sd %v, counts %v; want 5, 3.8, %v, [0 1 1 1 2]", a.N(), mean, sd, a.Counts, math.Sqrt(1.7))
	}

	// Alpha, by hand, over the four complete responses (sample variances):
	// leadership a 2 3 4 5 (var 5/3), b 3 3 5 5 (4/3), a+b 5 6 9 10 (17/3):
	// 2·(1 − 9/17) = 16/17. Management c 5 4 2 1 (10/3), d 4 4 2 2 (4/3),
	// c+d 9 8 4 3 (26/3): 2·(1 − 14/26) = 12/13.
	for _, tt := range []struct {
		pole campaign.Pole
		want float64
	}{{campaign.Leadership, 16.0 / 17}, {campaign.Management, 12.0 / 13}} {
		rel := tally.Alpha(tt.pole)
		if !rel.OK || !near(rel.Alpha, tt.want) || rel.N != 4 || rel.Items != 2 || rel.Low() {
			t.Errorf("alpha %s: got %+v, want %v over 4 responses and 2 statements", tt.pole, rel, tt.want)
		}
	}

	// Balance: per-person means L 2.5 3 4.5 5 (var 17/12), M 4.5 4 2 1.5
	// (var 13/6), covariance −7/4. (17/12·16/17 + 13/6·12/13 + 7/2) /
	// (17/12 + 13/6 + 7/2) = (41/6) / (85/12) = 82/85.
	r, n, ok := tally.BalanceReliability()
	if !ok || n != 4 || !near(r, 82.0/85) {
		t.Errorf("balance reliability: got %v over %d (%v), want %v over 4", r, n, ok, 82.0/85)
	}

	// Groups: A has responses 1 and 2; its x leadership is 2 3: index 37.5.
	g, ok := tally.Group(campaign.GroupKey{Column: "department", Value: "A"})
	if !ok || g.Responses != 2 {
		t.Fatalf("group A: got %+v, %v; want 2 responses", g, ok)
	}
	if idx, _ := g.Dimensions[0].Leadership.Index(); !near(idx, 37.5) {
		t.Errorf("group A, x leadership: got %v, want 37.5", idx)
	}
	if b, _ := tally.Group(campaign.GroupKey{Column: "department", Value: "B"}); b.Responses != 3 || b.Dimensions[1].Management.Respondents != 3 {
		t.Errorf("group B: got %+v, want 3 responses, 3 answering d", b)
	}
	if got := len(tally.Groups()); got != 2 {
		t.Errorf("got %d groups, want 2", got)
	}

	comments := tally.Comments()
	if len(comments) != 1 || comments[0].Text != "hello" || comments[0].Department != "A" {
		t.Errorf("got comments %+v, want one, \"hello\" from A (blank ones dropped)", comments)
	}
}

func TestAlphaNeedsTwoStatementsAndVariance(t *testing.T) {
	in := campaign.Instrument{
		Title:      "One each",
		Dimensions: []campaign.Dimension{{ID: "x", Name: "X"}},
		Items: []campaign.Item{
			{ID: "a", Dimension: "x", Pole: campaign.Leadership, Text: "A"},
			{ID: "c", Dimension: "x", Pole: campaign.Management, Text: "C"},
		},
	}
	tally := campaign.NewTally(&in)
	for _, v := range []int{1, 2, 3} {
		tally.Add(&campaign.Response{Answers: map[string]int{"a": v, "c": v}})
	}
	if rel := tally.Alpha(campaign.Leadership); rel.OK {
		t.Errorf("got alpha %+v from one statement, want none", rel)
	}
	if _, _, ok := tally.BalanceReliability(); ok {
		t.Error("got a balance reliability without alphas")
	}

	in = scoreInstrument()
	tally = campaign.NewTally(&in)
	for range 3 {
		tally.Add(&campaign.Response{Answers: map[string]int{"a": 4, "b": 4, "c": 2, "d": 2}})
	}
	if rel := tally.Alpha(campaign.Leadership); rel.OK {
		t.Errorf("got alpha %+v from identical answers, want none: there is no variance", rel)
	}
}

func TestLowReliability(t *testing.T) {
	in := scoreInstrument()
	tally := campaign.NewTally(&in)
	// a and b move mostly in opposite directions: alpha is far below 0.7.
	for i, v := range []int{1, 2, 4, 5} {
		tally.Add(&campaign.Response{Answers: map[string]int{"a": v, "b": []int{3, 5, 1, 2}[i], "c": v, "d": v}})
	}
	if rel := tally.Alpha(campaign.Leadership); !rel.OK || !rel.Low() {
		t.Errorf("got %+v, want a low alpha", rel)
	}
	if rel := tally.Alpha(campaign.Management); !rel.OK || rel.Low() || !near(rel.Alpha, 1) {
		t.Errorf("got %+v, want alpha 1 for identical statements", rel)
	}
}
