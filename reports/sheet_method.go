package reports

import (
	"fmt"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// method writes the Method sheet from Method.
func (b *book) method() {
	const s = SheetMethod
	b.widths(s, 32, 110)
	b.heading(s, 2, "How the figures are worked out", "The scale, every formula, and the rules that keep answers anonymous.")
	b.headers(s, 3, []string{"Topic", "Explanation"})
	row := 4
	for _, m := range Method(b.r) {
		b.str(s, 1, row, m[0], b.st.topic)
		b.str(s, 2, row, m[1], b.st.text)
		row++
	}
	b.freeze(s, 1, 4)
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
		{"Overall indices", "Each person's own index: the index of the average, over the dimensions they answered, of their average answer in each. " +
			"The overall index of the organisation, or of a group, is the average of its people's own indices: it rests on all of their answers, " +
			"so a group that is shown always has it. When everyone answers every statement, it is the average of the dimension scores. " +
			"Worked out before rounding."},
		{"95% interval", "Where an overall index (or balance) would most likely be, 95 times in 100, had everyone invited answered: " +
			"average ± t × s ÷ √n × √(1 − n ÷ N), where s is the standard deviation of the people's own indices, n the people who answered, " +
			"N the people invited and t Student's t for 95% with n − 1 degrees of freedom. The last factor narrows the interval as more of " +
			"those invited answer: when everyone answered, it is the index itself. Kept within the scale (0 to 100; −100 to +100 for the balance)."},
		{"Compared with the rest", fmt.Sprintf("Each group shown is compared with everyone else who answered (all responses minus the group's). "+
			"Difference: the group's average balance − the rest's, in points; always shown. Whether it is clear: Welch's t test of the two "+
			"averages, at 95%%, after Holm's correction for all the groups compared in this report (%d): with many groups, some differences "+
			"would look clear by chance alone, so the smallest p-value is multiplied by the number of groups, the next by one fewer, and so on. "+
			"Only then is a group %q or %q; otherwise %q. The test treats the answers as a sample of how people could have answered, "+
			"so even when everyone answered, a small difference is not called clear.", shownGroups(r), MoreLeadership, MoreManagement, NoClearDifference)},
		{"Strongest and weakest dimension", "On the Summary: the dimensions with the highest and the lowest average of their leadership " +
			"and management scores, where staff see the most and the least of both."},
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
		{"Response rate", "Responded ÷ delivered: of the people still on the roster whose invitation was delivered (the mail server accepted it and no bounce came back), the share who answered; for the campaign and for each group shown. People who left, and addresses that bounced, do not count. An answer stays when its writer leaves, so the rate is shown as 100% at most."},
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
		{"Anonymity: groups", fmt.Sprintf("A group (a department, or a value of another breakdown column) is shown only with at least %d responses, "+
			"and a score within a group only when at least %d of its people answered those statements. Groups that invited fewer than %d people "+
			"are pooled as %q when answers are recorded. With fewer than %d responses in all, the report shows no figures.", minSize, minSize, minSize, campaign.PooledGroup, minSize)},
		{"Anonymity: hidden groups stay hidden", "Where a hidden group's figures could be worked out by subtracting the groups shown from the total, " +
			"the next smallest group is hidden too (“hidden so that a smaller group cannot be worked out”); the same holds for each dimension score, " +
			"column by column, and a withheld cell says why in short: “too few” or “hidden”. A group's overall indices average all of its " +
			"people's answers, so a withheld dimension score cannot be worked out from them."},
		{"Anonymity: timing", "Results by group and comments appear only once the campaign is closed: comparing two reports taken while answers " +
			"are still coming in could show what the people who answered in between said. Before then, the report gives overall figures only."},
		{"Anonymity: comments", fmt.Sprintf("Comments are shown for the whole organisation, in random order, once at least %d people have responded "+
			"in all; a comment names its department only where that department has at least %d responses and the Groups sheet shows it. "+
			"Whatever was typed is shown as text, never run as a formula.", campaign.MinCommentGroupSize, campaign.MinCommentGroupSize)},
		{"Names, addresses and numbers in comments", fmt.Sprintf("Before a comment reaches this workbook or the JSON export, every name of a person "+
			"on the roster becomes %s, every email address %s and every phone number %s. Names are matched as whole words, whatever their case "+
			"or accents (“jurgen” matches Jürgen); a name that is also an everyday word (Will, May, Grace) only where it is written as a name, "+
			"so “we will” stays as written. The database keeps each comment as it was written.", NameMark, EmailMark, PhoneMark)},
		{"Anonymity: the database", "Answers are stored with no name, address, link or time (the date only), each in a slot chosen at random, " +
			"so where an answer lies says nothing about when it was given. Groups keep running sums, never a row per person, and comments are " +
			"stored on their own. No row that names a person changes when someone answers: the database alone does not say who has answered, " +
			"and its files keep no history (a journal deleted at each commit, freed space overwritten, the file rewritten when the campaign closes)."},
		{"Anonymity: what remains", "Whoever holds both the database and the key file that makes the links (whoever runs lvm-mail) can open " +
			"anyone's link, and so tell whether they have answered. For a group in which only one person has answered so far, that group's " +
			"running sums are that person's answers: someone who knew who that one person is could read them in the database. No report " +
			"shows such a group. While the campaign is open, comments lie in the file in the order they were written."},
		{"Rounding", "Indices and balances: one decimal. Shares: one decimal of a percent. Averages, spreads and reliabilities: two decimals. " +
			"The JSON export (lvm-mail report --format json) holds the same rounded figures."},
	}
	if r.Compare != nil {
		m = append(m, [2]string{"Change", fmt.Sprintf("Change = this campaign's figure − the same figure in %s, both rounded, for dimensions with the same id "+
			"and for groups shown in both campaigns.", r.Compare.Name)})
	}
	return m
}

// shownGroups counts the groups a report shows.
func shownGroups(r *Report) int {
	n := 0
	for _, g := range r.Groups {
		if !g.Suppressed {
			n++
		}
	}
	return n
}
