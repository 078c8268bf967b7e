package reports

import (
	"fmt"
	"math"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// summaryCols is the number of columns the Summary's text spans.
const summaryCols = 6

// summary writes the Summary sheet: the campaign and its response; the two
// overall indices and the balance with their intervals; who differs (the
// groups leaning most each way, against the rest of the organisation) and
// the strongest and weakest dimension; and a paragraph that reads it all.
func (b *book) summary() {
	const s = SheetSummary
	r := b.r
	b.widths(s, 24, 16, 18, 12, 16, 44)
	b.heading(s, summaryCols, r.Title+": "+r.Name,
		"Scores run from 0 (everyone strongly disagrees) to 100 (everyone strongly agrees); 50 is the middle of the scale.")
	status := "Open"
	statusNote := "started " + r.Created + ", still taking answers"
	if r.ClosingDate != "" {
		statusNote = "started " + r.Created + ", takes answers until the end of " + r.ClosingDate
	}
	if r.Closed {
		status, statusNote = "Closed", "started "+r.Created+", last day for answers: "+r.ClosingDate
	}

	row := 4
	fact := func(label string, value func(row int), explain string) {
		b.str(s, 1, row, label, b.st.label)
		value(row)
		if explain != "" {
			b.strAcross(s, 3, summaryCols, row, explain, b.st.note)
		}
		row++
	}
	count := func(v int) func(int) {
		return func(rw int) {
			b.int(s, 2, rw, v)
			b.do(b.f.SetCellStyle(s, ref(2, rw), ref(2, rw), b.st.countLeft))
		}
	}
	b.str(s, 1, row, "Campaign", b.st.label)
	b.strAcross(s, 2, summaryCols, row, r.Name+" ("+r.Campaign+")", b.st.label)
	row++
	fact("Status", func(rw int) { b.str(s, 2, rw, status, b.st.label) }, statusNote)
	fact("Invited", count(r.Invited), "people asked to answer")
	fact("Delivered", count(r.Delivered), "invitations the mail server accepted")
	fact("Responded", count(r.Responded), "people who answered")
	fact("Response rate", func(rw int) { b.num(s, 2, rw, r.ResponseRate, b.st.pctLeft, "no one invited") }, "responded ÷ invited")
	row++

	b.str(s, 1, row, "What this says", b.st.label)
	row++
	b.paragraph(s, row, summaryCols, Reading(r), b.st.paragraph)
	row += 2

	b.headers(s, row, []string{"Organisation", "Score", "95% interval"})
	b.strAcross(s, 4, summaryCols, row, "What it means", b.st.header)
	row++
	index := func(label string, v *float64, ci *Interval, style int, explain string) {
		b.str(s, 1, row, label, b.st.label)
		b.num(s, 2, row, v, style, b.tooFew())
		b.str(s, 3, row, intervalWords(ci), b.st.interval)
		b.strAcross(s, 4, summaryCols, row, explain, b.st.note)
		row++
	}
	index("Leadership index", r.Leadership, r.LeadershipCI, b.st.bigL, "how much staff see leading: people first, coaching, trust, the big picture, growth")
	index("Management index", r.Management, r.ManagementCI, b.st.bigM, "how much staff see managing: systems, control, detail, predictability, directives")
	index("Balance", r.Balance, r.BalanceCI, b.st.bigBalance, "leadership minus management: above 0 leans to leading, below 0 to managing")
	quadrant := b.tooFew()
	if r.Quadrant != nil {
		quadrant = QuadrantWords(campaign.Quadrant(*r.Quadrant))
	}
	b.str(s, 1, row, "Overall picture", b.st.label)
	b.strAcross(s, 2, summaryCols, row, quadrant, b.st.text)
	row++
	b.str(s, 1, row, "Reliability", b.st.label)
	b.strAcross(s, 2, summaryCols, row, reliabilityWords(r), b.st.text)
	row += 2

	row = b.whoDiffers(row)
	row = b.strongestDimensions(row)
	if len(r.Notes) > 0 {
		b.str(s, 1, row, "Please note", b.st.label)
		row++
		for _, n := range r.Notes {
			b.paragraph(s, row, summaryCols, n, b.st.note)
			row++
		}
		row++
	}
	b.freeze(s, 1, 3)

	if r.Leadership == nil && r.Management == nil {
		return
	}
	first, last := 4, 3+len(r.Dimensions)
	b.do(b.f.InsertPageBreak(s, ref(1, row))) // print the chart on a page of its own
	b.do(b.f.AddChart(s, ref(1, row), &excelize.Chart{
		Type:       excelize.Bar,
		VaryColors: ptr(false),
		Series: []excelize.ChartSeries{
			{Name: absCell(SheetDimensions, 2, 3), Categories: absRange(SheetDimensions, 1, first, last), Values: absRange(SheetDimensions, 2, first, last), Fill: fill(ColourLeadership)},
			{Name: absCell(SheetDimensions, 3, 3), Categories: absRange(SheetDimensions, 1, first, last), Values: absRange(SheetDimensions, 3, first, last), Fill: fill(ColourManagement)},
		},
		Title:     title("Leadership and management, dimension by dimension (0–100)"),
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorGridLines: true, MajorUnit: 25, Font: axisFont},
		Dimension: excelize.ChartDimension{Width: 760, Height: uint(120 + 42*len(r.Dimensions))},
		Format:    excelize.GraphicOptions{AltText: "Bar chart of the leadership and management scores of every dimension", OffsetX: 4, OffsetY: 4},
	}))
}

// whoDiffers writes the table of the groups leaning most to leading and to
// managing, each against the rest of the organisation, from row on, and
// returns the next free row.
func (b *book) whoDiffers(row int) int {
	const s = SheetSummary
	r := b.r
	b.str(s, 1, row, "Who differs", b.st.header)
	b.strAcross(s, 2, 3, row, "Group", b.st.header)
	b.str(s, 4, row, "Balance", b.st.header)
	b.str(s, 5, row, "Against the rest (points)", b.st.header)
	b.str(s, 6, row, "Is the difference clear?", b.st.header)
	row++
	leader, manager := r.leaning()
	if leader == nil {
		why := "Results by group appear once the campaign is closed."
		if r.Closed {
			why = fmt.Sprintf("No two groups have the %d responses a group needs to be shown.", r.MinGroupSize)
		}
		b.strAcross(s, 1, summaryCols, row, why, b.st.note)
		return row + 2
	}
	for _, g := range []struct {
		label string
		group *Group
	}{{"Leans most to leading", leader}, {"Leans most to managing", manager}} {
		b.str(s, 1, row, g.label, b.st.label)
		b.strAcross(s, 2, 3, row, groupLabel(g.group.Column)+": "+valueLabel(g.group.Value), b.st.label)
		b.num(s, 4, row, g.group.Balance, b.st.signed1, "")
		b.num(s, 5, row, g.group.Difference, b.st.signed1, "not known")
		verdict, style := b.verdict(g.group)
		b.str(s, 6, row, verdict, style)
		row++
	}
	return row
}

// strongestDimensions writes the dimensions where staff see the most and
// the least of both sides, from row on, and returns the next free row.
func (b *book) strongestDimensions(row int) int {
	const s = SheetSummary
	strongest, weakest := b.r.strength()
	if strongest == nil {
		return row
	}
	b.str(s, 1, row, "Dimensions", b.st.header)
	b.strAcross(s, 2, 3, row, "Name", b.st.header)
	b.str(s, 4, row, "Leadership", b.st.headerL)
	b.str(s, 5, row, "Management", b.st.headerM)
	b.str(s, 6, row, "What it means", b.st.header)
	row++
	for _, d := range []struct {
		label, means string
		dim          *Dimension
	}{
		{"Strongest", "staff see the most of both leading and managing here", strongest},
		{"Weakest", "staff see the least of both here", weakest},
	} {
		b.str(s, 1, row, d.label, b.st.label)
		b.strAcross(s, 2, 3, row, d.dim.Name, b.st.label)
		b.num(s, 4, row, d.dim.Leadership, b.st.num1, "")
		b.num(s, 5, row, d.dim.Management, b.st.num1, "")
		b.str(s, 6, row, d.means, b.st.note)
		row++
	}
	return row + 1
}

// intervalWords writes an interval for reading: "57.0 to 65.4".
func intervalWords(ci *Interval) string {
	if ci == nil {
		return ""
	}
	return signed(ci[0]) + " to " + signed(ci[1])
}

// signed writes a figure with one decimal and a real minus sign.
func signed(v float64) string {
	if v < 0 {
		return fmt.Sprintf("−%.1f", math.Abs(v))
	}
	return fmt.Sprintf("%.1f", v)
}

// verdict says whether a group's balance clearly differs from the rest of
// the organisation's, and the style to say it in.
func (b *book) verdict(g *Group) (string, int) {
	switch {
	case g.Differs == nil:
		return "", 0
	case *g.Differs == MoreLeadership:
		return "Yes: clearly more leadership than the rest", b.st.verdictL
	case *g.Differs == MoreManagement:
		return "Yes: clearly more management than the rest", b.st.verdictM
	}
	return "No clear difference: it could be chance", b.st.verdictNone
}
