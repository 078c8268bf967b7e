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
	fact("Delivered", count(r.Delivered), "invitations delivered to people still on the roster (bounces not counted)")
	fact("Responded", count(r.Responded), "people who answered")
	fact("Response rate", func(rw int) { b.num(s, 2, rw, r.ResponseRate, b.st.pctLeft, "nothing delivered yet") }, "responded ÷ delivered, people still on the roster")
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
	r := b.r
	header := summaryHeader{names: [5]string{"Who differs", "Group", "Balance", "Against the rest (points)", "Is the difference clear?"}}
	leader, manager := r.leaning()
	if leader == nil {
		why := "Results by group appear once the campaign is closed."
		if r.Closed {
			why = fmt.Sprintf("No two groups have the %d responses a group needs to be shown.", r.MinGroupSize)
		}
		row = b.summaryTable(row, header, nil)
		b.strAcross(SheetSummary, 1, summaryCols, row, why, b.st.note)
		return row + 2
	}
	var rows []summaryRow
	for _, g := range []struct {
		label string
		group *Group
	}{{"Leans most to leading", leader}, {"Leans most to managing", manager}} {
		verdict, style := b.verdict(g.group)
		rows = append(rows, summaryRow{label: g.label, name: groupLabel(g.group.Column) + ": " + valueLabel(g.group.Value),
			figures: [2]*float64{g.group.Balance, g.group.Difference}, style: b.st.signed1, words: verdict, wordsStyle: style})
	}
	return b.summaryTable(row, header, rows)
}

// strongestDimensions writes the dimensions where staff see the most and
// the least of both sides, from row on, and returns the next free row.
func (b *book) strongestDimensions(row int) int {
	strongest, weakest := b.r.strength()
	if strongest == nil {
		return row
	}
	header := summaryHeader{names: [5]string{"Dimensions", "Name", "Leadership", "Management", "What it means"},
		styles: [5]int{2: b.st.headerL, 3: b.st.headerM}}
	return b.summaryTable(row, header, []summaryRow{
		{label: "Strongest", name: strongest.Name, figures: [2]*float64{strongest.Leadership, strongest.Management}, style: b.st.num1,
			words: "staff see the most of both leading and managing here", wordsStyle: b.st.note},
		{label: "Weakest", name: weakest.Name, figures: [2]*float64{weakest.Leadership, weakest.Management}, style: b.st.num1,
			words: "staff see the least of both here", wordsStyle: b.st.note},
	})
}

// summaryHeader heads a small table of the Summary: its five headings
// (the second across two columns) and their styles (0: the plain header).
type summaryHeader struct {
	names  [5]string
	styles [5]int
}

// A summaryRow is a row of a small table of the Summary: a label, a name
// across two columns, two figures and a few words.
type summaryRow struct {
	label, name string
	figures     [2]*float64
	style       int // of the figures
	words       string
	wordsStyle  int
}

// summaryTable writes a small table of the Summary from row on and returns
// the row after it.
func (b *book) summaryTable(row int, h summaryHeader, rows []summaryRow) int {
	const s = SheetSummary
	for i, name := range h.names {
		style := h.styles[i]
		if style == 0 {
			style = b.st.header
		}
		switch {
		case i == 0:
			b.str(s, 1, row, name, style)
		case i == 1:
			b.strAcross(s, 2, 3, row, name, style)
		default:
			b.str(s, i+2, row, name, style)
		}
	}
	row++
	for _, r := range rows {
		b.str(s, 1, row, r.label, b.st.label)
		b.strAcross(s, 2, 3, row, r.name, b.st.label)
		b.num(s, 4, row, r.figures[0], r.style, "not known")
		b.num(s, 5, row, r.figures[1], r.style, "not known")
		b.str(s, 6, row, r.words, r.wordsStyle)
		row++
	}
	return row
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
