package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// quadrants names each quadrant and says what it means, in words an owner
// can read without help.
var quadrants = map[campaign.Quadrant][2]string{
	campaign.LeadsAndManages: {"Leads and manages", "staff see both leadership and management at work (both indices 50 or above)."},
	campaign.LeaderLed:       {"Leader-led", "staff see more leading than managing (leadership 50 or above, management below 50)."},
	campaign.ManagerRun:      {"Manager-run", "staff see more managing than leading (management 50 or above, leadership below 50)."},
	campaign.Neither:         {"Neither", "staff see little of either (both indices below 50)."},
}

// QuadrantName is a quadrant's name as the quadrant chart labels it.
func QuadrantName(q campaign.Quadrant) string {
	if t, ok := quadrants[q]; ok {
		return t[0]
	}
	return string(q)
}

// QuadrantWords says what a quadrant means, in one sentence an owner can
// read without help.
func QuadrantWords(q campaign.Quadrant) string {
	if t, ok := quadrants[q]; ok {
		return t[0] + ": " + t[1]
	}
	return string(q)
}

func two(v *float64) string {
	if v == nil {
		return "not known"
	}
	return fmt.Sprintf("%.2f", *v)
}

func reliabilityWords(r *Report) string {
	return fmt.Sprintf("Leadership statements %s, management statements %s (Cronbach's alpha: %.2f or more means a set of statements "+
		"hangs together well enough to be read as one index).", two(r.Alpha.Leadership), two(r.Alpha.Management), campaign.AlphaThreshold)
}

func percent(v *float64) string {
	if v == nil {
		return "no invitation delivered yet"
	}
	return fmt.Sprintf("%.1f%%", *v*100)
}

// Reading is a one-paragraph reading of the result, for the Summary sheet.
func Reading(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of the %d people reached answered (%s). ", r.Responded, r.Delivered, percent(r.ResponseRate))
	if r.Leadership == nil || r.Management == nil || r.Quadrant == nil {
		fmt.Fprintf(&b, "Figures appear from %d responses on, so that no answer can be traced to a person.", r.MinGroupSize)
		return b.String()
	}
	l, m := *r.Leadership, *r.Management
	switch campaign.Quadrant(*r.Quadrant) {
	case campaign.LeadsAndManages:
		fmt.Fprintf(&b, "Staff see both at work: leadership scores %.1f and management %.1f out of 100, both at or above the middle of the scale. ", l, m)
	case campaign.LeaderLed:
		fmt.Fprintf(&b, "Staff see the organisation as led more than managed: leadership scores %.1f out of 100, management %.1f. ", l, m)
	case campaign.ManagerRun:
		fmt.Fprintf(&b, "Staff see the organisation as managed more than led: management scores %.1f out of 100, leadership %.1f. ", m, l)
	default:
		fmt.Fprintf(&b, "Staff see little of either: leadership scores %.1f and management %.1f out of 100, both below the middle of the scale. ", l, m)
	}
	if bal := *r.Balance; math.Abs(bal) < 5 {
		fmt.Fprintf(&b, "The two are close (a balance of %+.1f points). ", bal)
	} else {
		fmt.Fprintf(&b, "The balance of %+.1f points leans towards %s. ", bal, map[bool]string{true: "leading", false: "managing"}[bal > 0])
	}
	if leader, manager := r.leaning(); leader != nil {
		fmt.Fprintf(&b, "By group, %s leans most to leading (balance %+.1f, %s) and %s most to managing (%+.1f, %s). ",
			groupWords(leader), *leader.Balance, againstRest(leader), groupWords(manager), *manager.Balance, againstRest(manager))
	}
	if strongest, weakest := r.strength(); strongest != nil {
		fmt.Fprintf(&b, "Staff see the most of both leading and managing in “%s” and the least in “%s”. ", strongest.Name, weakest.Name)
	}
	var gap *Dimension
	for i := range r.Dimensions {
		d := &r.Dimensions[i]
		if d.Balance != nil && (gap == nil || math.Abs(*d.Balance) > math.Abs(*gap.Balance)) {
			gap = d
		}
	}
	if gap != nil && math.Abs(*gap.Balance) >= 5 {
		side := "leadership"
		if *gap.Balance < 0 {
			side = "management"
		}
		fmt.Fprintf(&b, "The widest gap is in “%s”, where %s is ahead by %.1f points. ", gap.Name, side, math.Abs(*gap.Balance))
	}
	b.WriteString("An organisation needs both: a lower score says which side staff notice less, not that it is wrong.")
	for _, a := range []struct {
		v    *float64
		name string
	}{{r.Alpha.Leadership, "leadership"}, {r.Alpha.Management, "management"}} {
		if a.v != nil && *a.v < campaign.AlphaThreshold {
			fmt.Fprintf(&b, " The %s statements do not hang together well, so read that index with care.", a.name)
		}
	}
	if !r.Closed {
		b.WriteString(" The campaign is still open, so these figures may still change.")
	}
	return b.String()
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
func groupWords(g *Group) string {
	return valueLabel(g.Value) + " (" + strings.ToLower(groupLabel(g.Column)) + ")"
}

// againstRest says how a group's balance compares with the rest of the
// organisation's, with the size of the difference.
func againstRest(g *Group) string {
	if g.Difference == nil {
		return "not compared with the rest"
	}
	d := *g.Difference
	side := "above"
	if d < 0 {
		side = "below"
	}
	verdict := "no clear difference, it could be chance"
	if g.Differs != nil && *g.Differs != NoClearDifference {
		verdict = "a clear difference"
	}
	return fmt.Sprintf("%.1f points %s the rest of the organisation: %s", math.Abs(d), side, verdict)
}
