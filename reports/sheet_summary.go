package reports

import (
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
	s := b.sheet(SheetSummary)
	r := b.r
	b.widths(s, 24, 16, 18, 12, 16, 44)
	w := b.w
	b.heading(s, summaryCols, w.T("summary.heading", "title", r.Title, "name", r.Name), w.T("summary.subtitle"))
	created, closing := w.date(r.Created), w.date(r.ClosingDate)
	status := w.T("summary.open")
	statusNote := w.T("summary.started_open", "created", created)
	if r.ClosingDate != "" {
		statusNote = w.T("summary.started_closes", "created", created, "closing", closing)
	}
	if r.Closed {
		status, statusNote = w.T("summary.closed"), w.T("summary.started_closed", "created", created, "closing", closing)
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
	b.str(s, 1, row, w.T("summary.campaign"), b.st.label)
	b.strAcross(s, 2, summaryCols, row, w.T("summary.campaign_words", "name", r.Name, "slug", r.Campaign), b.st.label)
	row++
	fact(w.T("summary.status"), func(rw int) { b.str(s, 2, rw, status, b.st.label) }, statusNote)
	fact(w.T("summary.invited"), count(r.Invited), w.T("summary.invited_note"))
	fact(w.T("summary.delivered"), count(r.Delivered), w.T("summary.delivered_note"))
	fact(w.T("summary.responded"), count(r.Responded), w.T("summary.responded_note"))
	fact(w.T("summary.rate"), func(rw int) { b.num(s, 2, rw, r.ResponseRate, b.st.pctLeft, w.T("summary.rate_none")) }, w.T("summary.rate_note"))
	row++

	b.str(s, 1, row, w.T("summary.what_this_says"), b.st.label)
	row++
	b.paragraph(s, row, summaryCols, Reading(r), b.st.paragraph)
	row += 2

	b.headers(s, row, []string{w.T("summary.organisation"), w.T("common.score"), w.T("common.interval")})
	b.strAcross(s, 4, summaryCols, row, w.T("summary.what_it_means"), b.st.header)
	row++
	index := func(label string, v *float64, ci *Interval, style int, explain string) {
		b.str(s, 1, row, label, b.st.label)
		b.num(s, 2, row, v, style, b.tooFew())
		b.str(s, 3, row, w.interval(ci), b.st.interval)
		b.strAcross(s, 4, summaryCols, row, explain, b.st.note)
		row++
	}
	index(w.T("summary.leadership_index"), r.Leadership, r.LeadershipCI, b.st.bigL, w.T("summary.leadership_means"))
	index(w.T("summary.management_index"), r.Management, r.ManagementCI, b.st.bigM, w.T("summary.management_means"))
	index(w.T("common.balance"), r.Balance, r.BalanceCI, b.st.bigBalance, w.T("summary.balance_means"))
	quadrant := b.tooFew()
	if r.Quadrant != nil {
		quadrant = r.QuadrantWords(campaign.Quadrant(*r.Quadrant))
	}
	b.str(s, 1, row, w.T("summary.overall_picture"), b.st.label)
	b.strAcross(s, 2, summaryCols, row, quadrant, b.st.text)
	row++
	b.str(s, 1, row, w.T("summary.reliability"), b.st.label)
	b.strAcross(s, 2, summaryCols, row, w.T("summary.reliability_words", "leadership", w.two(r.Alpha.Leadership),
		"management", w.two(r.Alpha.Management), "threshold", w.fixed(campaign.AlphaThreshold, 2)), b.st.text)
	row += 2

	row = b.whoDiffers(row)
	row = b.strongestDimensions(row)
	if len(r.Notes) > 0 {
		b.str(s, 1, row, w.T("summary.please_note"), b.st.label)
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
			{Name: absCell(b.sheet(SheetDimensions), 2, 3), Categories: absRange(b.sheet(SheetDimensions), 1, first, last), Values: absRange(b.sheet(SheetDimensions), 2, first, last), Fill: fill(ColourLeadership)},
			{Name: absCell(b.sheet(SheetDimensions), 3, 3), Categories: absRange(b.sheet(SheetDimensions), 1, first, last), Values: absRange(b.sheet(SheetDimensions), 3, first, last), Fill: fill(ColourManagement)},
		},
		Title:     title(w.T("summary.chart_title")),
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorGridLines: true, MajorUnit: 25, Font: axisFont},
		Dimension: excelize.ChartDimension{Width: 760, Height: uint(120 + 42*len(r.Dimensions))},
		Format:    excelize.GraphicOptions{AltText: w.T("summary.chart_alt"), OffsetX: 4, OffsetY: 4},
	}))
}

// whoDiffers writes the table of the groups leaning most to leading and to
// managing, each against the rest of the organisation, from row on, and
// returns the next free row.
func (b *book) whoDiffers(row int) int {
	r, w := b.r, b.w
	header := summaryHeader{names: [5]string{w.T("summary.who_differs"), w.T("summary.group"), w.T("common.balance"),
		w.T("summary.against_rest"), w.T("summary.is_clear")}}
	leader, manager := r.leaning()
	if leader == nil {
		why := w.T("summary.groups_when_closed")
		if r.Closed {
			why = w.T("summary.no_two_groups", "min", r.MinGroupSize)
		}
		row = b.summaryTable(row, header, nil)
		b.strAcross(b.sheet(SheetSummary), 1, summaryCols, row, why, b.st.note)
		return row + 2
	}
	var rows []summaryRow
	for _, g := range []struct {
		label string
		group *Group
	}{{w.T("summary.leans_leading"), leader}, {w.T("summary.leans_managing"), manager}} {
		verdict, style := b.verdict(g.group)
		rows = append(rows, summaryRow{label: g.label, name: b.groupName(g.group.Column, g.group.Value),
			figures: [2]*float64{g.group.Balance, g.group.Difference}, style: b.st.signed1, words: verdict, wordsStyle: style})
	}
	return b.summaryTable(row, header, rows)
}

// strongestDimensions writes the dimensions where staff see the most and
// the least of both sides, from row on, and returns the next free row.
func (b *book) strongestDimensions(row int) int {
	w := b.w
	strongest, weakest := b.r.strength()
	if strongest == nil {
		return row
	}
	header := summaryHeader{names: [5]string{w.T("summary.dimensions"), w.T("summary.name"), w.T("common.leadership"),
		w.T("common.management"), w.T("summary.what_it_means")}, styles: [5]int{2: b.st.headerL, 3: b.st.headerM}}
	return b.summaryTable(row, header, []summaryRow{
		{label: w.T("summary.strongest"), name: strongest.Name, figures: [2]*float64{strongest.Leadership, strongest.Management}, style: b.st.num1,
			words: w.T("summary.strongest_means"), wordsStyle: b.st.note},
		{label: w.T("summary.weakest"), name: weakest.Name, figures: [2]*float64{weakest.Leadership, weakest.Management}, style: b.st.num1,
			words: w.T("summary.weakest_means"), wordsStyle: b.st.note},
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
	s := b.sheet(SheetSummary)
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
		b.num(s, 4, row, r.figures[0], r.style, b.w.T("common.not_known"))
		b.num(s, 5, row, r.figures[1], r.style, b.w.T("common.not_known"))
		b.str(s, 6, row, r.words, r.wordsStyle)
		row++
	}
	return row
}

// verdict says whether a group's balance clearly differs from the rest of
// the organisation's, and the style to say it in.
func (b *book) verdict(g *Group) (string, int) {
	switch {
	case g.Differs == nil:
		return "", 0
	case *g.Differs == MoreLeadership:
		return b.w.T("summary.clearly_leadership"), b.st.verdictL
	case *g.Differs == MoreManagement:
		return b.w.T("summary.clearly_management"), b.st.verdictM
	}
	return b.w.T("summary.not_clear"), b.st.verdictNone
}
