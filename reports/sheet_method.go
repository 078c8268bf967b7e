package reports

import (
	"fmt"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// method writes the Method sheet from Method.
func (b *book) method() {
	s := b.sheet(SheetMethod)
	w := b.w
	b.widths(s, 32, 110)
	b.heading(s, 2, w.T("method.title"), w.T("method.subtitle"))
	b.headers(s, 3, []string{w.T("method.topic"), w.T("method.explanation")})
	row := 4
	for _, m := range Method(b.r) {
		b.str(s, 1, row, m[0], b.st.topic)
		b.str(s, 2, row, m[1], b.st.text)
		row++
	}
	b.freeze(s, 1, 4)
}

// Method lists the Method sheet: topic and explanation, in plain words of
// the report's language, with the figures of this report where they apply.
func Method(r *Report) [][2]string {
	w := r.w
	labels := make([]string, 0, campaign.ScaleMax)
	for v := campaign.ScaleMin; v <= campaign.ScaleMax; v++ {
		labels = append(labels, fmt.Sprintf("%d %s", v, w.T(fmt.Sprintf("scale.%d", v))))
	}
	minSize := r.MinGroupSize
	topic := func(key string, args ...any) [2]string {
		return [2]string{w.T("method." + key + ".topic"), w.T("method."+key+".text", args...)}
	}
	m := [][2]string{
		topic("questions", "items", len(r.Items), "dimensions", len(r.Dimensions), "scale", strings.Join(labels, ", ")),
		topic("index"),
		topic("scores"),
		topic("overall"),
		topic("interval"),
		topic("compared", "compared", shownGroups(r), "more_leadership", w.verdict(MoreLeadership),
			"more_management", w.verdict(MoreManagement), "none", w.verdict(NoClearDifference)),
		topic("strongest"),
		topic("balance"),
		topic("read_balance"),
		topic("picture"),
		topic("share", "agree", w.T("scale.4"), "strongly_agree", w.T("scale.5")),
		topic("responses"),
		topic("spread"),
		topic("rate"),
		topic("alpha", "threshold", w.fixed(campaign.AlphaThreshold, 2),
			"leadership", w.two(r.Alpha.Leadership), "leadership_items", r.Alpha.LeadershipItems, "leadership_people", r.Alpha.LeadershipN,
			"management", w.two(r.Alpha.Management), "management_items", r.Alpha.ManagementItems, "management_people", r.Alpha.ManagementN),
		topic("balance_reliability", "reliability", w.two(r.BalanceReliability), "people", r.Alpha.BalanceN),
		topic("threshold", "min", minSize, "floor", campaign.MinGroupSizeFloor),
		topic("groups", "min", minSize, "pooled", w.T("common.pooled")),
		topic("hidden", "reason_hidden", w.T("notes.reason_hidden"), "too_few", w.T("common.short_too_few"), "hidden", w.T("common.short_hidden")),
		topic("timing"),
		topic("comments", "min", campaign.MinCommentGroupSize),
		topic("names", "name_mark", NameMark, "email_mark", EmailMark, "phone_mark", PhoneMark),
		topic("database"),
		topic("remains"),
		topic("rounding"),
	}
	if len(r.languages) > 1 {
		names := make([]string, len(r.languages))
		for i, l := range r.languages {
			names[i] = locale.Name(l, w.Lang())
		}
		m = append(m, topic("languages", "languages", strings.Join(names, ", "), "language", locale.Name(r.Language, w.Lang())))
	}
	if r.Compare != nil {
		m = append(m, topic("change", "earlier", r.Compare.Name))
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
