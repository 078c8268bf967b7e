package reports

import (
	"cmp"
	"slices"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// groups builds the breakdown groups of a closed campaign, column by column,
// applying the threshold and complementary suppression to each group and to
// each of its scores.
func groups(c *campaign.Campaign, t *campaign.Tally, sizes []campaign.GroupSize, minSize int, w wording) []Group {
	type entry struct {
		key                campaign.GroupKey
		invited, delivered int
		tally              *campaign.GroupTally
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
		e := add(campaign.GroupKey{Column: g.Column, Value: g.Value})
		e.invited += g.Invited
		e.delivered += g.Delivered
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
				g.Reason = reason(w, vis[i], minSize, "notes.reason_too_few_responses")
			} else {
				n := counts[i]
				g.Responded = &n
				if rate, ok := campaign.ResponseRate(n, e.delivered); ok {
					g.ResponseRate = round(rate, 3)
				}
				g.overall(tallies[i], e.invited)
			}
			for d := range nDims {
				dt := tallies[i].Dimensions[d]
				gd := GroupDimension{ID: c.Instrument.Dimensions[d].ID}
				for p := range campaign.Poles {
					v := cells[p][d][i]
					score, why, seen := &gd.Leadership, &gd.LeadershipReason, &gd.LeadershipHidden
					pt := dt.Leadership
					if p == 1 {
						score, why, seen, pt = &gd.Management, &gd.ManagementReason, &gd.ManagementHidden, dt.Management
					}
					*seen = v
					switch {
					case g.Suppressed:
						*why = g.Reason
					case v.Hidden():
						*why = reason(w, v, minSize, "notes.reason_too_few_answers")
					default:
						*score = index(pt)
					}
				}
				gd.Balance = difference(gd.Leadership, gd.Management)
				g.Dimensions[d] = gd
			}
			out = append(out, g)
		}
	}
	return out
}

// reason says why a figure is withheld, in the words the report shows:
// tooFew, the key of the words for too few, or that it is hidden to
// protect another.
func reason(w wording, v campaign.Visibility, minSize int, tooFew string) string {
	switch v {
	case campaign.TooFew:
		return w.T(tooFew, "min", minSize)
	case campaign.Protecting:
		return w.T("notes.reason_hidden")
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

// The verdicts of comparing a group with the rest of the organisation.
const (
	MoreLeadership    = "more leadership"
	MoreManagement    = "more management"
	NoClearDifference = "no clear difference"
)

// overall sets a shown group's overall indices and their intervals from
// the sums of its respondents' own indices: from all of its answers,
// whatever its dimension scores show. A group whose sums were first stored
// by a version of lvm-mail that did not keep the respondents' indices gets
// the mean of its dimension scores instead, with no interval.
func (g *Group) overall(t *campaign.GroupTally, invited int) {
	if !t.IndicesComplete() {
		for _, p := range campaign.Poles {
			if v, ok := campaign.OverallIndex(t.Dimensions, p); ok {
				*g.pole(p) = round(v, 1)
			}
		}
		g.Balance = difference(g.Leadership, g.Management)
		return
	}
	sums := t.Indices
	g.indices = &sums
	g.Leadership, g.LeadershipCI = mean(sums.Leadership, invited, 0, 100)
	g.Management, g.ManagementCI = mean(sums.Management, invited, 0, 100)
	g.Balance = difference(g.Leadership, g.Management)
	_, g.BalanceCI = mean(sums.Balance, invited, -100, 100)
}

func (g *Group) pole(p campaign.Pole) **float64 {
	if p == campaign.Management {
		return &g.Management
	}
	return &g.Leadership
}

// compareGroups compares the balance of every shown group with that of the
// rest of the organisation (org minus the group), by Welch's test of the
// respondents' own balances, and calls a group different only when the
// test says so at 95% after Holm's correction over all the groups tested:
// with many groups, some differences would otherwise look clear by chance.
// Every shown group gets a verdict and, where both sides have a balance,
// the size of the difference.
func compareGroups(groups []Group, org campaign.IndexSums) {
	var tested []*Group
	var p, diff []float64
	for i := range groups {
		g := &groups[i]
		if g.Suppressed {
			continue
		}
		g.Differs = ptr(NoClearDifference)
		if g.indices == nil {
			continue
		}
		rest := org.Minus(*g.indices).Balance
		mg, okG := g.indices.Balance.Mean()
		mr, okR := rest.Mean()
		if okG && okR {
			g.Difference = round(mg-mr, 1)
		}
		if w, ok := campaign.WelchTest(g.indices.Balance, rest); ok {
			tested = append(tested, g)
			p = append(p, w.P)
			diff = append(diff, w.Difference)
		}
	}
	for i, adjusted := range campaign.Holm(p) {
		switch {
		case adjusted > 1-campaign.Confidence:
		case diff[i] > 0:
			tested[i].Differs = ptr(MoreLeadership)
		case diff[i] < 0:
			tested[i].Differs = ptr(MoreManagement)
		}
	}
}
