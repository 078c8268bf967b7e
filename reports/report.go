// Package reports turns a campaign's responses into the report an owner
// reads: an Excel workbook, and the same figures as JSON.
//
// Both outputs are written from one Report, built once by Load or New, so
// they cannot disagree: the anonymity rules (campaign.SuppressGroups,
// campaign.SuppressCells, campaign.CommentsShown), the scrubbing of
// comments, the statistics and the rounding are applied while building it,
// and the writers only lay it out.
package reports

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
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
	Language           string      `json:"language"` // BCP 47: of the title, the dimension names, the statements, the notes and the workbook
	Title              string      `json:"title"`    // of the questionnaire
	Closed             bool        `json:"closed"`
	Created            string      `json:"created"`             // date the campaign was created
	ClosingDate        string      `json:"closing_date"`        // last day it took or takes answers; "" for none
	MinGroupSize       int         `json:"min_group_size"`      // the anonymity threshold applied
	Invited            int         `json:"invited"`             //
	Delivered          int         `json:"delivered"`           // invitations delivered (not bounced) to people still on the roster
	Responded          int         `json:"responded"`           //
	ResponseRate       *float64    `json:"response_rate"`       // responded / delivered, at most 1
	Leadership         *float64    `json:"leadership"`          // overall index
	LeadershipCI       *Interval   `json:"leadership_ci95"`     //
	Management         *float64    `json:"management"`          // overall index
	ManagementCI       *Interval   `json:"management_ci95"`     //
	Balance            *float64    `json:"balance"`             // leadership − management
	BalanceCI          *Interval   `json:"balance_ci95"`        //
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

	w         wording  // the report's words, in Language
	languages []string // the campaign's languages
}

// An Interval is a 95% confidence interval, [low, high], rounded like the
// figure it belongs to and kept within the figure's scale.
type Interval [2]float64

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
// A shown group has its overall indices, from all of its answers, with
// their intervals, and its verdict against the rest of the organisation.
type Group struct {
	Column       string           `json:"column"`
	Value        string           `json:"value"`
	Invited      int              `json:"invited"`
	Responded    *int             `json:"responded"`
	ResponseRate *float64         `json:"response_rate"`
	Suppressed   bool             `json:"suppressed"`
	Reason       string           `json:"reason,omitempty"` // why it is suppressed
	Leadership   *float64         `json:"leadership"`
	LeadershipCI *Interval        `json:"leadership_ci95"`
	Management   *float64         `json:"management"`
	ManagementCI *Interval        `json:"management_ci95"`
	Balance      *float64         `json:"balance"`
	BalanceCI    *Interval        `json:"balance_ci95"`
	Differs      *string          `json:"differs"`    // MoreLeadership, MoreManagement or NoClearDifference; null when suppressed
	Difference   *float64         `json:"difference"` // the group's balance minus the rest of the organisation's, in index points
	Dimensions   []GroupDimension `json:"dimensions"`

	indices *campaign.IndexSums // its respondents' own indices; nil when not known
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

	LeadershipHidden campaign.Visibility `json:"-"` // why, for the workbook's short reasons
	ManagementHidden campaign.Visibility `json:"-"`
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
	// Language is the language of the report: one of the campaign's
	// languages, along its tag ("de-CH" gives "de"); empty means the
	// campaign's default language. The workbook's own words are in it
	// where lvm-mail has them (Languages), else in English.
	Language string
}

// ErrLanguage is returned for a report in a language the campaign's
// survey was not in.
var ErrLanguage = errors.New("reports: the campaign has no such language")

// An Input is everything New needs: the campaign, its delivery counts, the
// invited count of every breakdown group, its responses, tallied, and the
// names of everyone on the roster, to take out of the comments.
type Input struct {
	Campaign   *campaign.Campaign
	Status     campaign.Status
	GroupSizes []campaign.GroupSize
	Tally      *campaign.Tally
	Names      []string
}

// Load reads a campaign's responses, group sums, comments, group sizes and
// delivery counts, and every name on the roster, from the store, streaming
// the responses through a campaign.Tally, and builds its report. It returns
// the store's errors, wrapped.
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
	names, err := store.FindStaffNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("report on %s: %w", c.Slug, err)
	}
	return New(Input{Campaign: c, Status: st, GroupSizes: sizes, Tally: tally, Names: names}, opts)
}

// New builds the report from tallied responses, in the language of
// opts. Answers given in every language are counted together, by item id.
// It returns ErrLanguage, wrapped, for a language the campaign does not
// have, and fails otherwise only when the source of randomness does.
func New(in Input, opts Options) (*Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	c, t := in.Campaign, in.Tally
	lang := c.Instrument.FallbackLanguage()
	if opts.Language != "" {
		l, ok := campaign.MatchLanguage(opts.Language, c.Instrument.Languages())
		if !ok {
			return nil, fmt.Errorf("%w: %s (campaign %s is in %s)", ErrLanguage, opts.Language, c.Slug, strings.Join(c.Instrument.Languages(), ", "))
		}
		lang = l
	}
	cats, err := catalogs()
	if err != nil {
		return nil, err
	}
	w := wording{cats.Pick(lang, locale.BaseLanguage)}
	inst := c.Instrument.Translated(lang)
	now := opts.Now()
	minSize := max(c.MinGroupSize, campaign.MinGroupSizeFloor)
	r := &Report{
		Campaign:     c.Slug,
		Name:         c.Name,
		Language:     lang,
		Title:        inst.Title,
		Closed:       c.Closed(now),
		Created:      date(c.CreatedAt),
		ClosingDate:  lastDay(c),
		MinGroupSize: minSize,
		Invited:      in.Status.Invited,
		Delivered:    in.Status.Delivered,
		Responded:    t.Responses(),
		Groups:       []Group{},
		Notes:        []string{},
		Generated:    now,
		w:            w,
		languages:    c.Instrument.Languages(),
	}
	if rate, ok := campaign.ResponseRate(r.Responded, r.Delivered); ok {
		r.ResponseRate = round(rate, 3)
	}
	// The organisation as a whole is a group too: with fewer than minSize
	// responses, HR could tell whose answers the figures are.
	enough := r.Responded >= minSize
	if !enough {
		r.Notes = append(r.Notes, w.N("notes.too_few", r.Responded, "min", minSize))
	}

	dims := t.Dimensions()
	for i, d := range inst.Dimensions {
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
		sums := t.Indices()
		r.Leadership, r.LeadershipCI = mean(sums.Leadership, r.Invited, 0, 100)
		r.Management, r.ManagementCI = mean(sums.Management, r.Invited, 0, 100)
		r.Balance = difference(r.Leadership, r.Management)
		_, r.BalanceCI = mean(sums.Balance, r.Invited, -100, 100)
		if r.Leadership != nil && r.Management != nil {
			q := string(campaign.QuadrantOf(*r.Leadership, *r.Management))
			r.Quadrant = &q
		}
	}

	items := t.Items()
	for i, it := range inst.Items {
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
		r.Groups = groups(c, t, campaign.PoolGroupSizes(in.GroupSizes, minSize), minSize, w)
		compareGroups(r.Groups, t.Indices())
		for _, g := range r.Groups {
			if !g.Suppressed && g.indices == nil {
				r.Notes = append(r.Notes, w.T("notes.old_groups"))
				break
			}
		}
	} else {
		r.Notes = append(r.Notes, w.T("notes.still_open", "slug", c.Slug))
	}
	if err := r.comments(t, in.Names, opts.Rand); err != nil {
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
		pole campaign.Pole
	}{{al, &r.Alpha.Leadership, campaign.Leadership}, {am, &r.Alpha.Management, campaign.Management}} {
		switch {
		case !a.rel.OK:
			r.Notes = append(r.Notes, r.w.T("notes.alpha_unknown."+string(a.pole)))
		case a.rel.Low():
			*a.dst = round(a.rel.Alpha, 2)
			r.Notes = append(r.Notes, r.w.T("notes.alpha_low."+string(a.pole), "alpha", r.w.fixed(**a.dst, 2),
				"threshold", r.w.fixed(campaign.AlphaThreshold, 2)))
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

// mean returns the rounded mean of the respondents' own indices and its 95%
// interval, with the finite-population correction for invited people,
// kept within lo..hi: nil without values, no interval with fewer than two.
func mean(m campaign.Moments, invited int, lo, hi float64) (*float64, *Interval) {
	v, ok := m.Mean()
	if !ok {
		return nil, nil
	}
	low, high, ok := campaign.Interval95(m, invited)
	if !ok {
		return round(v, 1), nil
	}
	return round(v, 1), &Interval{*round(max(low, lo), 1), *round(min(high, hi), 1)}
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
