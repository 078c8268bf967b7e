// Package reports turns a campaign's responses into the report an owner
// reads: an Excel workbook, and the same figures as JSON.
//
// Both outputs are written from one Report, built once by Load or New, so
// they cannot disagree: the anonymity rules (campaign.SuppressGroups,
// campaign.SuppressCells, campaign.CommentsShown) and the rounding are
// applied while building it, and the writers only lay it out.
package reports

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// A Report holds every figure of a campaign's report, rounded and with the
// anonymity rules applied. It marshals to the JSON of DESIGN.md ("report
// --format json"); fields tagged "-" are for the workbook only.
//
// Indices are on the 0..100 scale with one decimal; shares (response rate,
// favourability) are fractions from 0 to 1 with three decimals; means,
// standard deviations and reliabilities have two decimals. A nil figure was
// withheld or cannot be computed; the notes and reasons say why.
type Report struct {
	Campaign           string      `json:"campaign"` // the slug
	Name               string      `json:"name"`
	Title              string      `json:"title"` // of the questionnaire
	Closed             bool        `json:"closed"`
	Created            string      `json:"created"`             // date the campaign was created
	ClosingDate        string      `json:"closing_date"`        // last day it took or takes answers; "" for none
	MinGroupSize       int         `json:"min_group_size"`      // the anonymity threshold applied
	Invited            int         `json:"invited"`             //
	Delivered          int         `json:"delivered"`           // invitations the mail server accepted
	Responded          int         `json:"responded"`           //
	ResponseRate       *float64    `json:"response_rate"`       // responded / invited
	Leadership         *float64    `json:"leadership"`          // overall index
	Management         *float64    `json:"management"`          // overall index
	Balance            *float64    `json:"balance"`             // leadership − management
	Quadrant           *string     `json:"quadrant"`            // a campaign.Quadrant
	Alpha              Alpha       `json:"alpha"`               //
	BalanceReliability *float64    `json:"balance_reliability"` // of the balance as a difference score
	Dimensions         []Dimension `json:"dimensions"`
	Groups             []Group     `json:"groups"`
	Items              []Item      `json:"items"`
	Comments           Comments    `json:"comments"`
	Notes              []string    `json:"notes"`
	Compare            *Comparison `json:"compare,omitempty"`

	Generated time.Time `json:"-"` // when the report was built
}

// Alpha holds Cronbach's alpha of the leadership and of the management
// statements.
type Alpha struct {
	Leadership *float64 `json:"leadership"`
	Management *float64 `json:"management"`

	LeadershipN     int `json:"-"` // responses that answered every leadership statement
	ManagementN     int `json:"-"`
	LeadershipItems int `json:"-"`
	ManagementItems int `json:"-"`
	BalanceN        int `json:"-"` // responses that answered every statement
}

// A Dimension is one dimension's scores over every response.
type Dimension struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	Leadership    *float64      `json:"leadership"`
	Management    *float64      `json:"management"`
	Balance       *float64      `json:"balance"`
	N             int           `json:"n"` // responses that answered at least one of its statements
	Favourability Favourability `json:"favourability"`
}

// Favourability is the share of answers of 4 or 5, by pole.
type Favourability struct {
	Leadership *float64 `json:"leadership"`
	Management *float64 `json:"management"`
}

// A Group is one breakdown group: a department, or a value of another
// roster column. A suppressed group has no figures beyond its invited count.
type Group struct {
	Column       string           `json:"column"`
	Value        string           `json:"value"`
	Invited      int              `json:"invited"`
	Responded    *int             `json:"responded"`
	ResponseRate *float64         `json:"response_rate"`
	Suppressed   bool             `json:"suppressed"`
	Reason       string           `json:"reason,omitempty"` // why it is suppressed
	Leadership   *float64         `json:"leadership"`
	Management   *float64         `json:"management"`
	Balance      *float64         `json:"balance"`
	IndexReason  string           `json:"index_reason,omitempty"` // why a shown group's overall indices are withheld
	Dimensions   []GroupDimension `json:"dimensions"`
}

// A GroupDimension is one group's scores in one dimension. In a shown
// group, a score resting on too few answers is withheld with its reason; in
// a suppressed group every score is withheld for the group's reason.
type GroupDimension struct {
	ID               string   `json:"id"`
	Leadership       *float64 `json:"leadership"`
	Management       *float64 `json:"management"`
	Balance          *float64 `json:"balance"`
	LeadershipReason string   `json:"leadership_reason,omitempty"`
	ManagementReason string   `json:"management_reason,omitempty"`
}

// An Item is one statement's answers over every response.
type Item struct {
	ID           string        `json:"id"`
	Dimension    string        `json:"dimension"`
	Pole         campaign.Pole `json:"pole"`
	Text         string        `json:"text"`
	N            int           `json:"n"`
	Mean         *float64      `json:"mean"` // on the 1..5 scale
	SD           *float64      `json:"sd"`   // sample standard deviation
	Distribution *[5]int       `json:"distribution"`
}

// Comments counts the free-text comments shown and withheld. The comments
// themselves go only into the workbook.
type Comments struct {
	Shown    int    `json:"shown"`
	Withheld int    `json:"withheld"`
	Reason   string `json:"reason,omitempty"` // why some or all are withheld

	List []Comment `json:"-"` // in random order
}

// A Comment is a comment as the workbook shows it.
type Comment struct {
	Text       string
	Department string // "" when naming it could help identify the writer
}

// Options are a report's dependencies.
type Options struct {
	// Now decides whether the campaign has closed and dates the workbook;
	// nil means time.Now.
	Now func() time.Time
	// Rand shuffles the comments; nil means crypto/rand.
	Rand io.Reader
}

// An Input is everything New needs: the campaign, its delivery counts, the
// invited count of every breakdown group, and its responses, tallied.
type Input struct {
	Campaign   *campaign.Campaign
	Status     campaign.Status
	GroupSizes []campaign.GroupSize
	Tally      *campaign.Tally
}

// Load reads a campaign's responses, group sums, comments, group sizes and
// delivery counts from the store, streaming the responses through a
// campaign.Tally, and builds its report. It returns the store's errors, wrapped.
func Load(ctx context.Context, store *campaign.Store, c *campaign.Campaign, opts Options) (*Report, error) {
	tally := campaign.NewTally(&c.Instrument)
	err := store.ScanResponses(ctx, c.ID, func(r *campaign.Response) error {
		tally.Add(r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report on %s: %w", c.Slug, err)
	}
	groups, err := store.FindGroupTallies(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("report on %s: %w", c.Slug, err)
	}
	for _, g := range groups {
		tally.AddGroup(g)
	}
	comments, err := store.FindComments(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("report on %s: %w", c.Slug, err)
	}
	for _, cm := range comments {
		tally.AddComment(cm)
	}
	sizes, err := store.FindGroupSizes(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("report on %s: %w", c.Slug, err)
	}
	st, err := store.CampaignStatus(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("report on %s: %w", c.Slug, err)
	}
	return New(Input{Campaign: c, Status: st, GroupSizes: sizes, Tally: tally}, opts)
}

// New builds the report from tallied responses. It fails only when the
// source of randomness does.
func New(in Input, opts Options) (*Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	c, t := in.Campaign, in.Tally
	now := opts.Now()
	minSize := max(c.MinGroupSize, campaign.MinGroupSizeFloor)
	r := &Report{
		Campaign:     c.Slug,
		Name:         c.Name,
		Title:        c.Instrument.Title,
		Closed:       c.Closed(now),
		Created:      date(c.CreatedAt),
		ClosingDate:  lastDay(c),
		MinGroupSize: minSize,
		Invited:      in.Status.Invited,
		Delivered:    in.Status.Sent,
		Responded:    t.Responses(),
		Groups:       []Group{},
		Notes:        []string{},
		Generated:    now,
	}
	if rate, ok := campaign.ResponseRate(r.Responded, r.Invited); ok {
		r.ResponseRate = round(rate, 3)
	}
	// The organisation as a whole is a group too: with fewer than minSize
	// responses, HR could tell whose answers the figures are.
	enough := r.Responded >= minSize
	if !enough {
		r.Notes = append(r.Notes, fmt.Sprintf("Only %d %s so far: figures appear from %d responses on, so that no answer can be traced to a person.",
			r.Responded, plural(r.Responded, "response", "responses"), minSize))
	}

	dims := t.Dimensions()
	for i, d := range c.Instrument.Dimensions {
		dt := dims[i]
		row := Dimension{ID: d.ID, Name: d.Name, N: dt.Respondents}
		if enough {
			row.Leadership = index(dt.Leadership)
			row.Management = index(dt.Management)
			row.Balance = difference(row.Leadership, row.Management)
			row.Favourability.Leadership = favourability(dt.Leadership)
			row.Favourability.Management = favourability(dt.Management)
		}
		r.Dimensions = append(r.Dimensions, row)
	}
	if enough {
		if l, ok := campaign.OverallIndex(dims, campaign.Leadership); ok {
			r.Leadership = round(l, 1)
		}
		if m, ok := campaign.OverallIndex(dims, campaign.Management); ok {
			r.Management = round(m, 1)
		}
		r.Balance = difference(r.Leadership, r.Management)
		if r.Leadership != nil && r.Management != nil {
			q := string(campaign.QuadrantOf(*r.Leadership, *r.Management))
			r.Quadrant = &q
		}
	}

	items := t.Items()
	for i, it := range c.Instrument.Items {
		tally := items[i]
		row := Item{ID: it.ID, Dimension: it.Dimension, Pole: it.Pole, Text: it.Text, N: tally.N()}
		if enough {
			if m, ok := tally.Mean(); ok {
				row.Mean = round(m, 2)
			}
			if sd, ok := tally.SD(); ok {
				row.SD = round(sd, 2)
			}
			dist := tally.Counts
			row.Distribution = &dist
		}
		r.Items = append(r.Items, row)
	}

	r.reliability(t, enough)
	if r.Closed {
		r.Groups = groups(c, t, campaign.PoolGroupSizes(in.GroupSizes, minSize), minSize)
	} else {
		r.Notes = append(r.Notes, fmt.Sprintf("The campaign is still open, so results by department and other groups, and comments, are not shown yet: "+
			"comparing two reports taken while answers are still coming in could show what the people who answered in between said. "+
			"They appear once the campaign is closed ('lvm-mail campaign close %s').", c.Slug))
	}
	if err := r.comments(t, opts.Rand); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Report) reliability(t *campaign.Tally, enough bool) {
	al, am := t.Alpha(campaign.Leadership), t.Alpha(campaign.Management)
	r.Alpha.LeadershipN, r.Alpha.ManagementN = al.N, am.N
	r.Alpha.LeadershipItems, r.Alpha.ManagementItems = al.Items, am.Items
	if !enough {
		return
	}
	for _, a := range []struct {
		rel  campaign.Reliability
		dst  **float64
		name string
	}{{al, &r.Alpha.Leadership, "leadership"}, {am, &r.Alpha.Management, "management"}} {
		switch {
		case !a.rel.OK:
			r.Notes = append(r.Notes, fmt.Sprintf("How well the %s statements hang together (Cronbach's alpha) could not be worked out: "+
				"it needs at least two such statements, answered in full by at least two people, with some spread in the answers.", a.name))
		case a.rel.Low():
			*a.dst = round(a.rel.Alpha, 2)
			r.Notes = append(r.Notes, fmt.Sprintf("The %s statements do not hang together well (Cronbach's alpha %.2f, below %.2f): "+
				"read the %s index with care.", a.name, **a.dst, campaign.AlphaThreshold, a.name))
		default:
			*a.dst = round(a.rel.Alpha, 2)
		}
	}
	rel, n, ok := t.BalanceReliability()
	r.Alpha.BalanceN = n
	if ok {
		r.BalanceReliability = round(rel, 2)
	}
}

// groups builds the breakdown groups of a closed campaign, column by column,
// applying the threshold and complementary suppression to each group and to
// each of its scores.
func groups(c *campaign.Campaign, t *campaign.Tally, sizes []campaign.GroupSize, minSize int) []Group {
	type entry struct {
		key     campaign.GroupKey
		invited int
		tally   *campaign.GroupTally
	}
	byColumn := map[string][]*entry{}
	seen := map[campaign.GroupKey]*entry{}
	add := func(k campaign.GroupKey) *entry {
		e, ok := seen[k]
		if !ok {
			e = &entry{key: k}
			seen[k] = e
			byColumn[k.Column] = append(byColumn[k.Column], e)
		}
		return e
	}
	for _, g := range sizes {
		add(campaign.GroupKey{Column: g.Column, Value: g.Value}).invited += g.Invited
	}
	for _, g := range t.Groups() {
		add(g.GroupKey).tally = g
	}
	columns := make([]string, 0, len(byColumn))
	for col := range byColumn {
		columns = append(columns, col)
	}
	slices.SortFunc(columns, func(a, b string) int {
		return cmp.Or(cmp.Compare(rankColumn(a), rankColumn(b)), cmp.Compare(a, b))
	})

	nDims := len(c.Instrument.Dimensions)
	var out []Group
	for _, col := range columns {
		entries := byColumn[col]
		slices.SortFunc(entries, func(a, b *entry) int {
			return cmp.Or(cmp.Compare(rankValue(a.key.Value), rankValue(b.key.Value)), cmp.Compare(a.key.Value, b.key.Value))
		})
		tallies := make([]*campaign.GroupTally, len(entries))
		counts := make([]int, len(entries))
		for i, e := range entries {
			tallies[i] = e.tally
			if tallies[i] == nil { // no responses
				tallies[i] = &campaign.GroupTally{GroupKey: e.key, Dimensions: make([]campaign.DimensionTally, nDims)}
			}
			counts[i] = tallies[i].Responses
		}
		vis := campaign.SuppressGroups(counts, minSize)

		// cells[pole][dim][group]
		var cells [2][][]campaign.Visibility
		for p, pole := range campaign.Poles {
			cells[p] = make([][]campaign.Visibility, nDims)
			for d := range nDims {
				answered := make([]int, len(entries))
				for i, g := range tallies {
					answered[i] = g.Dimensions[d].Pole(pole).Respondents
				}
				cells[p][d] = campaign.SuppressCells(answered, minSize, vis)
			}
		}

		for i, e := range entries {
			g := Group{Column: col, Value: e.key.Value, Invited: e.invited, Dimensions: make([]GroupDimension, nDims)}
			if vis[i].Hidden() {
				g.Suppressed = true
				g.Reason = reason(vis[i], minSize, "responses")
			} else {
				n := counts[i]
				g.Responded = &n
				if rate, ok := campaign.ResponseRate(n, e.invited); ok {
					g.ResponseRate = round(rate, 3)
				}
			}
			var hiddenCell [2]bool
			for d := range nDims {
				dt := tallies[i].Dimensions[d]
				gd := GroupDimension{ID: c.Instrument.Dimensions[d].ID}
				for p := range campaign.Poles {
					v := cells[p][d][i]
					score, why := &gd.Leadership, &gd.LeadershipReason
					pt := dt.Leadership
					if p == 1 {
						score, why, pt = &gd.Management, &gd.ManagementReason, dt.Management
					}
					switch {
					case g.Suppressed:
						hiddenCell[p] = true
						*why = g.Reason
					case v.Hidden():
						hiddenCell[p] = true
						*why = reason(v, minSize, "answers")
					default:
						*score = index(pt)
					}
				}
				gd.Balance = difference(gd.Leadership, gd.Management)
				g.Dimensions[d] = gd
			}
			if !g.Suppressed {
				// A group's overall index is the mean of its dimension scores, so
				// it would give away a withheld score: withhold it too.
				var why []string
				for p, pole := range campaign.Poles {
					if hiddenCell[p] {
						why = append(why, string(pole))
						continue
					}
					if v, ok := campaign.OverallIndex(tallies[i].Dimensions, pole); ok {
						if p == 0 {
							g.Leadership = round(v, 1)
						} else {
							g.Management = round(v, 1)
						}
					}
				}
				g.Balance = difference(g.Leadership, g.Management)
				if len(why) > 0 {
					g.IndexReason = fmt.Sprintf("overall %s withheld, so that a withheld score cannot be worked out from it", strings.Join(why, " and "))
				}
			}
			out = append(out, g)
		}
	}
	return out
}

// comments keeps the comments of departments with enough responses, names
// the department only where the department is shown, and shuffles them.
func (r *Report) comments(t *campaign.Tally, random io.Reader) error {
	all := t.Comments()
	if !r.Closed {
		r.Comments.Withheld = len(all)
		if len(all) > 0 {
			r.Comments.Reason = "comments appear once the campaign is closed"
		}
		return nil
	}
	shown := map[string]bool{}
	for _, g := range r.Groups {
		if g.Column == campaign.ColumnDepartment && !g.Suppressed {
			shown[g.Value] = true
		}
	}
	for _, cm := range all {
		dept := campaign.GroupKey{Column: campaign.ColumnDepartment, Value: cm.Department}
		g, _ := t.Group(dept)
		if g == nil || !campaign.CommentsShown(g.Responses) {
			r.Comments.Withheld++
			continue
		}
		label := ""
		if shown[cm.Department] {
			label = cm.Department
		}
		r.Comments.List = append(r.Comments.List, Comment{Text: cleanText(cm.Text), Department: label})
	}
	r.Comments.Shown = len(r.Comments.List)
	if r.Comments.Withheld > 0 {
		r.Comments.Reason = fmt.Sprintf("comments from departments with fewer than %d responses are not shown", campaign.MinCommentGroupSize)
		r.Notes = append(r.Notes, fmt.Sprintf("%d %s not shown because %s from departments with fewer than %d responses.",
			r.Comments.Withheld, plural(r.Comments.Withheld, "comment is", "comments are"), plural(r.Comments.Withheld, "it came", "they came"), campaign.MinCommentGroupSize))
	}
	var seed [32]byte
	if _, err := io.ReadFull(random, seed[:]); err != nil {
		return fmt.Errorf("shuffle comments: %w", err)
	}
	rng := mrand.New(mrand.NewChaCha8(seed))
	rng.Shuffle(len(r.Comments.List), func(i, j int) {
		r.Comments.List[i], r.Comments.List[j] = r.Comments.List[j], r.Comments.List[i]
	})
	return nil
}

// cleanText drops control characters other than tabs and line breaks,
// which have no place in a cell and which some spreadsheet programs refuse.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || r == 0xfffe || r == 0xffff {
			return -1
		}
		return r
	}, s)
}

// reason says why a figure is withheld, in the words the report shows.
func reason(v campaign.Visibility, minSize int, unit string) string {
	switch v {
	case campaign.TooFew:
		return fmt.Sprintf("fewer than %d %s", minSize, unit)
	case campaign.Protecting:
		return "hidden so that a smaller group cannot be worked out"
	}
	return ""
}

// rankColumn puts the department first.
func rankColumn(c string) int {
	if c == campaign.ColumnDepartment {
		return 0
	}
	return 1
}

// rankValue puts the pooled group last.
func rankValue(v string) int {
	if v == campaign.PooledGroup {
		return 1
	}
	return 0
}

func index(p campaign.PoleTally) *float64 {
	v, ok := p.Index()
	if !ok {
		return nil
	}
	return round(v, 1)
}

func favourability(p campaign.PoleTally) *float64 {
	v, ok := p.Favourability()
	if !ok {
		return nil
	}
	return round(v, 3)
}

// difference returns the balance of two rounded indices, so that the
// figures shown add up: nil when either is.
func difference(l, m *float64) *float64 {
	if l == nil || m == nil {
		return nil
	}
	return round(*l-*m, 1)
}

// round rounds half away from zero to places decimals, and never gives −0.
func round(v float64, places int) *float64 {
	p := math.Pow10(places)
	r := math.Round(v*p) / p
	if r == 0 {
		r = 0
	}
	return &r
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(time.DateOnly)
}

// lastDay returns the last day the campaign took or takes answers: the day
// it was closed by hand, or the day before its closing time (campaign create
// --closes DATE closes at the end of DATE); "" when it has no end yet.
func lastDay(c *campaign.Campaign) string {
	end := c.ClosingDate()
	if end.IsZero() {
		return ""
	}
	if end.Equal(c.ClosesAt) {
		end = end.Add(-time.Nanosecond)
	}
	return date(end)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
