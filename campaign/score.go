package campaign

import (
	"math"
	"slices"
	"strings"
)

// Scoring, as the report's Method sheet states it:
//
//   - An index maps a mean answer on the 1..5 scale to 0..100:
//     (mean − 1) / 4 × 100.
//   - The Leadership score of a dimension is the index of the mean of every
//     leadership-keyed answer given in that dimension, all answers pooled (an
//     answer counts once, whoever gave it); Management likewise.
//   - Balance is Leadership − Management, from −100 to +100.
//   - Favourability is the share of answers that are 4 or 5.
//   - A respondent's own index of a pole is the index of the mean, over the
//     dimensions they answered statements of that pole in, of their mean
//     answer there; their own balance is their leadership index minus their
//     management index.
//   - The overall indices, of the organisation and of a group, are the means
//     of the respondents' own indices (with complete answers: the mean of
//     the dimension scores). They rest on every answer, so a group has them
//     whenever it has enough responses, whatever its dimension scores.
//   - The quadrant compares the overall indices with the midpoint, 50.
//
// A Tally takes responses one at a time and keeps only sums, so a report on
// 100,000 responses needs no more memory than one on 100 (comments apart).

// IndexMidpoint is the middle of the 0..100 index scale, against which the
// quadrant is decided.
const IndexMidpoint = 50.0

// Index maps a mean answer on the 1..5 scale to the 0..100 index scale.
func Index(mean float64) float64 {
	return (mean - ScaleMin) / (ScaleMax - ScaleMin) * 100
}

// A Quadrant names how leader-like and how manager-like an organisation is
// perceived, from its two overall indices.
type Quadrant string

// The four quadrants.
const (
	LeadsAndManages Quadrant = "leads and manages" // both indices ≥ 50
	LeaderLed       Quadrant = "leader-led"        // leadership ≥ 50 > management
	ManagerRun      Quadrant = "manager-run"       // management ≥ 50 > leadership
	Neither         Quadrant = "neither"           // both below 50
)

// QuadrantOf returns the quadrant of a leadership and a management index:
// an index of exactly 50 counts as high.
func QuadrantOf(leadership, management float64) Quadrant {
	l, m := leadership >= IndexMidpoint, management >= IndexMidpoint
	switch {
	case l && m:
		return LeadsAndManages
	case l:
		return LeaderLed
	case m:
		return ManagerRun
	default:
		return Neither
	}
}

// ResponseRate returns responded / delivered: the share of the people
// still on the roster who were delivered the invitation (it did not bounce)
// who have answered; false when no invitation was delivered. It is at most
// 1: an answer stays when its writer leaves, anonymous as it is, and
// someone who answered and left could otherwise push it above.
func ResponseRate(responded, delivered int) (float64, bool) {
	if delivered <= 0 {
		return 0, false
	}
	return min(1, float64(responded)/float64(delivered)), true
}

// A PoleTally sums the answers to the statements of one pole of one
// dimension.
type PoleTally struct {
	Respondents int // responses that answered at least one of the statements
	Answers     int // answers given
	Sum         int // of the answers
	Favourable  int // answers of 4 or 5
}

// Mean returns the mean answer, on the 1..5 scale; false with no answers.
func (p PoleTally) Mean() (float64, bool) {
	if p.Answers == 0 {
		return 0, false
	}
	return float64(p.Sum) / float64(p.Answers), true
}

// Index returns the mean answer on the 0..100 scale; false with no answers.
func (p PoleTally) Index() (float64, bool) {
	m, ok := p.Mean()
	return Index(m), ok
}

// Favourability returns the share of answers that are 4 or 5, from 0 to 1;
// false with no answers.
func (p PoleTally) Favourability() (float64, bool) {
	if p.Answers == 0 {
		return 0, false
	}
	return float64(p.Favourable) / float64(p.Answers), true
}

func (p *PoleTally) add(q PoleTally) {
	p.Respondents += q.Respondents
	p.Answers += q.Answers
	p.Sum += q.Sum
	p.Favourable += q.Favourable
}

// A DimensionTally sums the answers to one dimension, pole by pole.
type DimensionTally struct {
	ID          string
	Respondents int // responses that answered at least one statement of the dimension
	Leadership  PoleTally
	Management  PoleTally
}

// Pole returns the tally of one pole.
func (d *DimensionTally) Pole(p Pole) *PoleTally {
	if p == Management {
		return &d.Management
	}
	return &d.Leadership
}

// OverallIndex returns the mean over dimensions of one pole's index,
// counting only the dimensions with answers for that pole; false when none
// has any.
func OverallIndex(dims []DimensionTally, p Pole) (float64, bool) {
	var sum float64
	n := 0
	for i := range dims {
		if v, ok := dims[i].Pole(p).Index(); ok {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// An ItemTally counts the answers to one statement.
type ItemTally struct {
	ID     string
	Counts [ScaleMax]int // Counts[v-1] answers of v
}

// N returns the number of answers.
func (it *ItemTally) N() int {
	n := 0
	for _, c := range it.Counts {
		n += c
	}
	return n
}

// Mean returns the mean answer; false with no answers.
func (it *ItemTally) Mean() (float64, bool) {
	n, sum, _ := it.moments()
	if n == 0 {
		return 0, false
	}
	return float64(sum) / float64(n), true
}

// SD returns the sample standard deviation of the answers (divisor n − 1);
// false with fewer than two answers.
func (it *ItemTally) SD() (float64, bool) {
	n, sum, sumSq := it.moments()
	if n < 2 {
		return 0, false
	}
	// n·Σx² − (Σx)² is exact in integers.
	ss := float64(int64(n)*sumSq-sum*sum) / float64(n)
	return math.Sqrt(ss / float64(n-1)), true
}

func (it *ItemTally) moments() (n int, sum, sumSq int64) {
	for i, c := range it.Counts {
		v := int64(i + ScaleMin)
		n += c
		sum += int64(c) * v
		sumSq += int64(c) * v * v
	}
	return n, sum, sumSq
}

// A GroupKey names a breakdown group: a roster column and one of its values.
type GroupKey struct {
	Column string
	Value  string
}

// IndexSums sums the respondents' own overall indices, for the intervals
// and tests of the report, without a row per person.
type IndexSums struct {
	Respondents int     `json:"respondents"` // responses summed
	Leadership  Moments `json:"leadership"`  // of those with a leadership index
	Management  Moments `json:"management"`
	Balance     Moments `json:"balance"` // of those with both indices
}

// Plus returns the sums of s and o together.
func (s IndexSums) Plus(o IndexSums) IndexSums {
	return IndexSums{Respondents: s.Respondents + o.Respondents, Leadership: s.Leadership.Plus(o.Leadership),
		Management: s.Management.Plus(o.Management), Balance: s.Balance.Plus(o.Balance)}
}

// Minus returns the sums of s without those of o, a part of s.
func (s IndexSums) Minus(o IndexSums) IndexSums {
	return IndexSums{Respondents: s.Respondents - o.Respondents, Leadership: s.Leadership.Minus(o.Leadership),
		Management: s.Management.Minus(o.Management), Balance: s.Balance.Minus(o.Balance)}
}

// Pole returns the sums of one pole's index.
func (s IndexSums) Pole(p Pole) Moments {
	if p == Management {
		return s.Management
	}
	return s.Leadership
}

// A GroupTally sums the answers of the responses of one breakdown group.
type GroupTally struct {
	GroupKey
	Responses  int
	Dimensions []DimensionTally // in instrument order
	Indices    IndexSums
}

// Add adds the sums of o, a tally of the same instrument, to g.
func (g *GroupTally) Add(o GroupTally) {
	g.Responses += o.Responses
	addDims(g.Dimensions, o.Dimensions)
	g.Indices = g.Indices.Plus(o.Indices)
}

// IndicesComplete reports whether Indices sums every response of the group:
// false for a group whose sums were first stored by a version of lvm-mail
// that did not keep them.
func (g *GroupTally) IndicesComplete() bool { return g.Indices.Respondents == g.Responses }

// A Comment is one response's free text with the department it came from.
type Comment struct {
	Text       string
	Department string // the response's department, pooled when small
}

// A Tally accumulates the responses to one instrument: per dimension, per
// statement and per breakdown group, plus the sums that Cronbach's alpha
// and the reliability of the balance need. Add responses with Add; read the
// results at any time. A Tally is not safe for concurrent use.
type Tally struct {
	dims      []Dimension
	items     []Item
	itemIndex map[string]int
	itemDim   []int // dimension index of each item
	poleItems [2][]int

	responses  int
	itemTally  []ItemTally
	dimTally   []DimensionTally
	indices    IndexSums
	groups     map[GroupKey]*GroupTally
	groupOrder []GroupKey
	cov        [2]covariance // per pole, listwise over responses complete for the pole
	diff       difference    // responses complete for both poles
	comments   []Comment

	// scratch, reused for every response
	answers []int
	perDim  []DimensionTally
}

// NewTally returns an empty tally for the instrument.
func NewTally(in *Instrument) *Tally {
	t := &Tally{
		dims:      in.Dimensions,
		items:     in.Items,
		itemIndex: make(map[string]int, len(in.Items)),
		itemDim:   make([]int, len(in.Items)),
		itemTally: make([]ItemTally, len(in.Items)),
		dimTally:  make([]DimensionTally, len(in.Dimensions)),
		groups:    map[GroupKey]*GroupTally{},
		answers:   make([]int, len(in.Items)),
		perDim:    make([]DimensionTally, len(in.Dimensions)),
	}
	dimIndex := make(map[string]int, len(in.Dimensions))
	for i, d := range in.Dimensions {
		dimIndex[d.ID] = i
		t.dimTally[i].ID = d.ID
		t.perDim[i].ID = d.ID
	}
	for i, it := range in.Items {
		t.itemIndex[it.ID] = i
		t.itemDim[i] = dimIndex[it.Dimension]
		t.itemTally[i].ID = it.ID
		p := poleIndex(it.Pole)
		t.poleItems[p] = append(t.poleItems[p], i)
	}
	for p := range t.cov {
		t.cov[p] = newCovariance(len(t.poleItems[p]))
	}
	return t
}

func poleIndex(p Pole) int {
	if p == Management {
		return 1
	}
	return 0
}

// Add counts one response. Answers to statements the instrument does not
// have, and answers off the 1..5 scale, are ignored. The groups and the
// comments, stored apart from the responses, are added with AddGroup and
// AddComment.
func (t *Tally) Add(r *Response) {
	t.responses++
	for i := range t.answers {
		t.answers[i] = 0
	}
	for id, v := range r.Answers {
		if i, ok := t.itemIndex[id]; ok && v >= ScaleMin && v <= ScaleMax {
			t.answers[i] = v
		}
	}
	for d := range t.perDim {
		t.perDim[d] = DimensionTally{ID: t.perDim[d].ID}
	}
	for i, v := range t.answers {
		if v == 0 {
			continue
		}
		t.itemTally[i].Counts[v-ScaleMin]++
		pt := t.perDim[t.itemDim[i]].Pole(t.items[i].Pole)
		pt.Respondents = 1
		pt.Answers++
		pt.Sum += v
		if v >= 4 {
			pt.Favourable++
		}
	}
	for d := range t.perDim {
		pd := &t.perDim[d]
		if pd.Leadership.Answers > 0 || pd.Management.Answers > 0 {
			pd.Respondents = 1
		}
	}
	addDims(t.dimTally, t.perDim)
	t.addIndices(t.perDim)

	var sums [2]int
	complete := [2]bool{true, true}
	for p, idx := range t.poleItems {
		for _, i := range idx {
			if t.answers[i] == 0 {
				complete[p] = false
				break
			}
			sums[p] += t.answers[i]
		}
		if complete[p] {
			t.cov[p].add(t.answers, idx)
		}
	}
	if complete[0] && complete[1] {
		t.diff.add(int64(sums[0]), int64(sums[1]))
	}
}

// addIndices adds one response's own indices, from its answers summed per
// dimension: over the dimensions it answered, the mean of its index in
// each (the index of the mean of its means, the index being linear).
func (t *Tally) addIndices(perDim []DimensionTally) {
	t.indices.Respondents++
	l, okL := OverallIndex(perDim, Leadership)
	m, okM := OverallIndex(perDim, Management)
	if okL {
		t.indices.Leadership.Add(l)
	}
	if okM {
		t.indices.Management.Add(m)
	}
	if okL && okM {
		t.indices.Balance.Add(l - m)
	}
}

// AddGroup adds the summed answers of a breakdown group.
func (t *Tally) AddGroup(g GroupTally) { t.group(g.GroupKey).Add(g) }

// AddComment keeps a comment unless it is blank.
func (t *Tally) AddComment(c Comment) {
	if c.Text = strings.TrimSpace(c.Text); c.Text != "" {
		t.comments = append(t.comments, c)
	}
}

// AsGroup returns what the tally has summed as the tally of group k: how a
// response is added to the sums of its groups.
func (t *Tally) AsGroup(k GroupKey) GroupTally {
	return GroupTally{GroupKey: k, Responses: t.responses, Dimensions: slices.Clone(t.dimTally), Indices: t.indices}
}

func addDims(dst, src []DimensionTally) {
	for d := range src {
		dst[d].Respondents += src[d].Respondents
		dst[d].Leadership.add(src[d].Leadership)
		dst[d].Management.add(src[d].Management)
	}
}

func (t *Tally) group(k GroupKey) *GroupTally {
	g, ok := t.groups[k]
	if !ok {
		g = &GroupTally{GroupKey: k, Dimensions: make([]DimensionTally, len(t.dims))}
		for i, d := range t.dims {
			g.Dimensions[i].ID = d.ID
		}
		t.groups[k] = g
		t.groupOrder = append(t.groupOrder, k)
	}
	return g
}

// Responses returns the number of responses added.
func (t *Tally) Responses() int { return t.responses }

// Indices returns the sums of the respondents' own overall indices.
func (t *Tally) Indices() IndexSums { return t.indices }

// Dimensions returns the tally of every dimension, in instrument order.
func (t *Tally) Dimensions() []DimensionTally { return t.dimTally }

// Items returns the tally of every statement, in instrument order.
func (t *Tally) Items() []ItemTally { return t.itemTally }

// Group returns the tally of a breakdown group; false when no response was
// in it.
func (t *Tally) Group(k GroupKey) (*GroupTally, bool) {
	g, ok := t.groups[k]
	return g, ok
}

// Groups returns the tallies of every breakdown group that has a response,
// in the order they were first seen.
func (t *Tally) Groups() []*GroupTally {
	out := make([]*GroupTally, len(t.groupOrder))
	for i, k := range t.groupOrder {
		out[i] = t.groups[k]
	}
	return out
}

// Comments returns the non-blank comments in the order they were added.
func (t *Tally) Comments() []Comment { return t.comments }
