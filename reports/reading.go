package reports

import (
	"math"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// quadrantKeys are the catalog keys of the quadrants' names; KEY_means
// says what each means, in words an owner can read without help.
var quadrantKeys = map[campaign.Quadrant]string{
	campaign.LeadsAndManages: "quadrant.leads_and_manages",
	campaign.LeaderLed:       "quadrant.leader_led",
	campaign.ManagerRun:      "quadrant.manager_run",
	campaign.Neither:         "quadrant.neither",
}

// QuadrantName is a quadrant's name in the report's language, as the
// quadrant chart labels it.
func (r *Report) QuadrantName(q campaign.Quadrant) string {
	if k, ok := quadrantKeys[q]; ok {
		return r.w.T(k)
	}
	return string(q)
}

// QuadrantWords says what a quadrant means, in one sentence of the
// report's language an owner can read without help.
func (r *Report) QuadrantWords(q campaign.Quadrant) string {
	if k, ok := quadrantKeys[q]; ok {
		return r.w.T("quadrant.words", "name", r.w.T(k), "means", r.w.T(k+"_means"))
	}
	return string(q)
}

// Reading is a one-paragraph reading of the result, for the Summary sheet,
// in the report's language.
func Reading(r *Report) string {
	w := r.w
	rate := w.T("reading.nothing_delivered")
	if r.ResponseRate != nil {
		rate = w.percent(*r.ResponseRate)
	}
	say := []string{w.T("reading.reached", "responded", r.Responded, "delivered", r.Delivered, "rate", rate)}
	if r.Leadership == nil || r.Management == nil || r.Quadrant == nil {
		return strings.Join(append(say, w.T("reading.too_few", "min", r.MinGroupSize)), " ")
	}
	indices := []any{"leadership", w.one(*r.Leadership), "management", w.one(*r.Management)}
	switch campaign.Quadrant(*r.Quadrant) {
	case campaign.LeadsAndManages:
		say = append(say, w.T("reading.leads_and_manages", indices...))
	case campaign.LeaderLed:
		say = append(say, w.T("reading.leader_led", indices...))
	case campaign.ManagerRun:
		say = append(say, w.T("reading.manager_run", indices...))
	default:
		say = append(say, w.T("reading.neither", indices...))
	}
	switch bal := *r.Balance; {
	case math.Abs(bal) < 5:
		say = append(say, w.T("reading.close", "balance", w.plus(bal)))
	case bal > 0:
		say = append(say, w.T("reading.leans_leading", "balance", w.plus(bal)))
	default:
		say = append(say, w.T("reading.leans_managing", "balance", w.plus(bal)))
	}
	if leader, manager := r.leaning(); leader != nil {
		say = append(say, w.T("reading.by_group", "leader", r.groupWords(leader), "leader_balance", w.plus(*leader.Balance),
			"leader_rest", r.againstRest(leader), "manager", r.groupWords(manager), "manager_balance", w.plus(*manager.Balance),
			"manager_rest", r.againstRest(manager)))
	}
	if strongest, weakest := r.strength(); strongest != nil {
		say = append(say, w.T("reading.strength", "strongest", strongest.Name, "weakest", weakest.Name))
	}
	var gap *Dimension
	for i := range r.Dimensions {
		d := &r.Dimensions[i]
		if d.Balance != nil && (gap == nil || math.Abs(*d.Balance) > math.Abs(*gap.Balance)) {
			gap = d
		}
	}
	if gap != nil && math.Abs(*gap.Balance) >= 5 {
		key := "reading.gap_leadership"
		if *gap.Balance < 0 {
			key = "reading.gap_management"
		}
		say = append(say, w.T(key, "dimension", gap.Name, "points", w.one(math.Abs(*gap.Balance))))
	}
	say = append(say, w.T("reading.needs_both"))
	for _, a := range []struct {
		v    *float64
		pole campaign.Pole
	}{{r.Alpha.Leadership, campaign.Leadership}, {r.Alpha.Management, campaign.Management}} {
		if a.v != nil && *a.v < campaign.AlphaThreshold {
			say = append(say, w.T("reading.alpha_low."+string(a.pole)))
		}
	}
	if !r.Closed {
		say = append(say, w.T("reading.still_open"))
	}
	return strings.Join(say, " ")
}

// leaning returns the shown groups, of any breakdown column, with the
// highest and the lowest balance (of equal ones, the first); nil unless
// two groups have a balance.
func (r *Report) leaning() (leader, manager *Group) {
	n := 0
	for i := range r.Groups {
		g := &r.Groups[i]
		if g.Suppressed || g.Balance == nil {
			continue
		}
		n++
		if leader == nil || *g.Balance > *leader.Balance {
			leader = g
		}
		if manager == nil || *g.Balance < *manager.Balance {
			manager = g
		}
	}
	if n < 2 {
		return nil, nil
	}
	return leader, manager
}

// strength returns the dimensions where staff see the most and the least
// of both sides: the highest and the lowest mean of the two scores; nil
// unless two dimensions have both.
func (r *Report) strength() (strongest, weakest *Dimension) {
	level := func(d *Dimension) float64 { return (*d.Leadership + *d.Management) / 2 }
	n := 0
	for i := range r.Dimensions {
		d := &r.Dimensions[i]
		if d.Leadership == nil || d.Management == nil {
			continue
		}
		n++
		if strongest == nil || level(d) > level(strongest) {
			strongest = d
		}
		if weakest == nil || level(d) < level(weakest) {
			weakest = d
		}
	}
	if n < 2 {
		return nil, nil
	}
	return strongest, weakest
}

// groupWords names a group in a sentence: "Bakery (department)".
func (r *Report) groupWords(g *Group) string {
	return r.w.T("common.in_text", "value", r.w.value(g.Column, g.Value), "column", r.w.columnInText(g.Column))
}

// againstRest says how a group's balance compares with the rest of the
// organisation's, with the size of the difference.
func (r *Report) againstRest(g *Group) string {
	w := r.w
	if g.Difference == nil {
		return w.T("reading.not_compared")
	}
	verdict := w.T("reading.chance")
	if g.Differs != nil && *g.Differs != NoClearDifference {
		verdict = w.T("reading.clear")
	}
	key := "reading.above_rest"
	if *g.Difference < 0 {
		key = "reading.below_rest"
	}
	return w.T(key, "points", w.one(math.Abs(*g.Difference)), "verdict", verdict)
}
