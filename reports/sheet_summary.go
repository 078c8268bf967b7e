package reports

import (
	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// summary writes the Summary sheet: the campaign, the response, the two
// overall indices, the balance and a reading of them in plain words.
func (b *book) summary() {
	const s = SheetSummary
	r := b.r
	b.heading(s, r.Title+": "+r.Name, "Scores run from 0 (everyone strongly disagrees) to 100 (everyone strongly agrees); 50 is the middle of the scale.")
	b.widths(s, 22, 16, 70)
	status := "Open"
	statusNote := "still taking answers"
	if r.ClosingDate != "" {
		statusNote = "takes answers until the end of " + r.ClosingDate
	}
	if r.Closed {
		status, statusNote = "Closed", "last day for answers: "+r.ClosingDate
	}
	row := 4
	line := func(label string, value func(col, row int), explain string) {
		b.str(s, 1, row, label, b.st.label)
		value(2, row)
		if explain != "" {
			b.str(s, 3, row, explain, b.st.note)
		}
		row++
	}
	text := func(v string) func(int, int) { return func(c, rw int) { b.str(s, c, rw, v, b.st.label) } }
	count := func(v int) func(int, int) {
		return func(c, rw int) {
			b.int(s, c, rw, v)
			b.do(b.f.SetCellStyle(s, ref(c, rw), ref(c, rw), b.st.countLeft))
		}
	}
	figure := func(v *float64, style int) func(int, int) {
		return func(c, rw int) { b.num(s, c, rw, v, style, b.tooFew()) }
	}
	line("Campaign", text(r.Name), r.Campaign)
	line("Status", text(status), statusNote)
	line("Started", text(r.Created), "")
	line("Invited", count(r.Invited), "people asked to answer")
	line("Delivered", count(r.Delivered), "invitations the mail server accepted")
	line("Responded", count(r.Responded), "people who answered")
	line("Response rate", func(c, rw int) { b.num(s, c, rw, r.ResponseRate, b.st.pctLeft, "no one invited") }, "responded ÷ invited")
	line("Leadership index", figure(r.Leadership, b.st.bigL), "how much staff see leading: people first, coaching, trust, the big picture, growth")
	line("Management index", figure(r.Management, b.st.bigM), "how much staff see managing: systems, control, detail, predictability, directives")
	line("Balance", figure(r.Balance, b.st.bigBalance), "leadership minus management: above 0 leans to leading, below 0 to managing")
	quadrant := b.tooFew()
	if r.Quadrant != nil {
		quadrant = QuadrantWords(campaign.Quadrant(*r.Quadrant))
	}
	b.str(s, 1, row, "Overall picture", b.st.label)
	b.str(s, 2, row, quadrant, b.st.text)
	b.do(b.f.MergeCell(s, ref(2, row), ref(3, row)))
	b.do(b.f.SetRowHeight(s, row, 32))
	row++
	b.str(s, 1, row, "Reliability", b.st.label)
	b.str(s, 2, row, reliabilityWords(r), b.st.text)
	b.do(b.f.MergeCell(s, ref(2, row), ref(3, row)))
	b.do(b.f.SetRowHeight(s, row, 32))
	row += 2

	b.str(s, 1, row, "What this says", b.st.label)
	row++
	b.paragraph(s, row, 3, Reading(r), b.st.paragraph, 95)
	row += 2
	if len(r.Notes) > 0 {
		b.str(s, 1, row, "Please note", b.st.label)
		row++
		for _, n := range r.Notes {
			b.paragraph(s, row, 3, n, b.st.note, 110)
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
