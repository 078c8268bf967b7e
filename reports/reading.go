package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// QuadrantWords says what a quadrant means, in one sentence an owner can
// read without help.
func QuadrantWords(q campaign.Quadrant) string {
	switch q {
	case campaign.LeadsAndManages:
		return "Leads and manages: staff see both leadership and management at work (both indices 50 or above)."
	case campaign.LeaderLed:
		return "Leader-led: staff see more leading than managing (leadership 50 or above, management below 50)."
	case campaign.ManagerRun:
		return "Manager-run: staff see more managing than leading (management 50 or above, leadership below 50)."
	case campaign.Neither:
		return "Neither: staff see little of either (both indices below 50)."
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
		return "no one was invited"
	}
	return fmt.Sprintf("%.1f%%", *v*100)
}

// Reading is a one-paragraph reading of the result, for the Summary sheet.
func Reading(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of the %d people invited answered (%s). ", r.Responded, r.Invited, percent(r.ResponseRate))
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
	var topL, topM, gap *Dimension
	for i := range r.Dimensions {
		d := &r.Dimensions[i]
		if d.Leadership != nil && (topL == nil || *d.Leadership > *topL.Leadership) {
			topL = d
		}
		if d.Management != nil && (topM == nil || *d.Management > *topM.Management) {
			topM = d
		}
		if d.Balance != nil && (gap == nil || math.Abs(*d.Balance) > math.Abs(*gap.Balance)) {
			gap = d
		}
	}
	if topL != nil && topM != nil {
		fmt.Fprintf(&b, "Leadership is seen most in “%s” (%.1f); management is felt most in “%s” (%.1f). ", topL.Name, *topL.Leadership, topM.Name, *topM.Management)
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

// Method lists the Method sheet: topic and explanation, in plain words,
// with the figures of this report where they apply.
func Method(r *Report) [][2]string {
	labels := make([]string, len(campaign.ScaleLabels))
	for i, l := range campaign.ScaleLabels {
		labels[i] = fmt.Sprintf("%d %s", i+campaign.ScaleMin, l)
	}
	minSize := r.MinGroupSize
	m := [][2]string{
		{"The questions", fmt.Sprintf("%d statements in %d dimensions. Each dimension sets one side of leading (people, coaching, trust, the big picture, growth) "+
			"against one side of managing (systems, control, detail, predictability, directives); each statement belongs to one of the two sides. "+
			"People answer each on a five-point scale: %s. They may leave a statement unanswered.", len(r.Items), len(r.Dimensions), strings.Join(labels, ", "))},
		{"Index, 0 to 100", "An average answer on the 1–5 scale becomes an index by: index = (average − 1) ÷ 4 × 100. " +
			"0 means everyone strongly disagrees, 50 is the middle of the scale, 100 means everyone strongly agrees."},
		{"Leadership and management scores of a dimension", "Leadership: the index of the average of every answer to the dimension's leadership statements, " +
			"all answers pooled (each answer counts once, however many statements a person answered). Management: the same for its management statements."},
		{"Overall indices", "The average of the dimension scores, every dimension counting equally (dimensions with no answers are left out). " +
			"Worked out before rounding, so it can differ by 0.1 from the average of the rounded figures shown."},
		{"Balance", "Leadership score − management score, from −100 to +100, worked out from the rounded scores so that the figures shown add up."},
		{"How to read the balance", "Above 0: staff see more leading than managing; below 0: more managing than leading; near 0: both about equally. " +
			"An organisation needs both, so neither direction is good or bad in itself: a large gap says which side staff notice less. " +
			"Read it with the two scores: a balance of 0 can mean both high or both low."},
		{"Overall picture", "From the overall indices against the middle of the scale, 50 (exactly 50 counts as high): " +
			"leads and manages (both 50 or above); leader-led (leadership 50 or above, management below); " +
			"manager-run (management 50 or above, leadership below); neither (both below 50)."},
		{"Share agreeing", "Share of the answers that are 4 (Agree) or 5 (Strongly agree), for each side of a dimension."},
		{"Responses and answers", "Responded: people who sent the form. For a dimension: people who answered at least one of its statements. " +
			"For a statement: people who answered it."},
		{"Average and spread", "A statement's average answer on the 1–5 scale, and its spread: the standard deviation, " +
			"√(Σ(answer − average)² ÷ (n − 1)). About two thirds of the answers lie within one spread of the average."},
		{"Response rate", "Responded ÷ invited, for the campaign and for each group shown."},
		{"Reliability (Cronbach's alpha)", fmt.Sprintf("How consistently a set of statements measures one thing: α = k ÷ (k − 1) × (1 − Σ variance of each statement ÷ variance of their total), "+
			"for k statements, over the people who answered all k. %.2f or more is usually taken as good; below it, read that index with care. "+
			"This report: leadership %s (%d statements, %d people), management %s (%d statements, %d people).",
			campaign.AlphaThreshold, two(r.Alpha.Leadership), r.Alpha.LeadershipItems, r.Alpha.LeadershipN,
			two(r.Alpha.Management), r.Alpha.ManagementItems, r.Alpha.ManagementN)},
		{"Reliability of the balance", fmt.Sprintf("A difference between two scores is less reliable than either score when the two move together. "+
			"r = (σL²·αL + σM²·αM − 2·cov(L, M)) ÷ (σL² + σM² − 2·cov(L, M)), where L and M are each person's average leadership and management answers, "+
			"σ² their variances and cov their covariance, over the people who answered every statement. This report: %s (%d people).",
			two(r.BalanceReliability), r.Alpha.BalanceN)},
		{"Anonymity: threshold", fmt.Sprintf("%d responses: this campaign's setting (survey.min_group_size when it was created; never below %d).", minSize, campaign.MinGroupSizeFloor)},
		{"Anonymity: groups", fmt.Sprintf("A group (a department, or a value of another breakdown column chosen for the campaign) is shown only with at least %d responses, "+
			"and a score within a group only when at least %d of its people answered those statements. Groups that invited fewer than %d people "+
			"are pooled as %q when answers are recorded. With fewer than %d responses in all, the report shows no figures.", minSize, minSize, minSize, campaign.PooledGroup, minSize)},
		{"Anonymity: hidden groups stay hidden", "Where a hidden group's figures could be worked out by subtracting the groups shown from the total, " +
			"the next smallest group is hidden too (“hidden so that a smaller group cannot be worked out”). A group's overall indices are withheld " +
			"when one of its dimension scores is, since they would give it away."},
		{"Anonymity: timing", "Results by group and comments appear only once the campaign is closed: comparing two reports taken while answers " +
			"are still coming in could show what the people who answered in between said. Before then, the report gives overall figures only."},
		{"Anonymity: comments", fmt.Sprintf("Comments appear word for word, in random order, only from departments with at least %d responses, "+
			"and name the department only where the Groups sheet shows it. Whatever was typed is shown as text, never run as a formula.", campaign.MinCommentGroupSize)},
		{"Rounding", "Indices and balances: one decimal. Shares: one decimal of a percent. Averages, spreads and reliabilities: two decimals. " +
			"The JSON export (lvm-mail report --format json) holds the same rounded figures."},
	}
	if r.Compare != nil {
		m = append(m, [2]string{"Change", fmt.Sprintf("Change = this campaign's figure − the same figure in %s, both rounded, for dimensions with the same id "+
			"and for groups shown in both campaigns.", r.Compare.Name)})
	}
	return m
}
