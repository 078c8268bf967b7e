package reports

import (
	"math"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// maxScatterGroups is the most groups a quadrant chart shows: beyond it the
// points and their labels would be unreadable, and the table says it all.
const maxScatterGroups = 40

// GroupColours tell the groups apart in the quadrant chart: far from each
// other and from leadership's blue and management's orange.
var GroupColours = []string{"6A3D9A", "1B9E77", "D62728", "404040", "66A61E", "E7298A", "17BECF", "8C564B", "BCBD22", "999999"}

// The columns of the Groups sheet.
const (
	gColumn = iota + 1
	gValue
	gResponded
	gRate
	gLeadership
	gLeadershipCI
	gManagement
	gManagementCI
	gBalance
	gBalanceCI
	gDifference
	gVerdict
	gFirstDim // then one column per dimension: the balance
)

// The Groups sheet's first row of groups.
const gFirstRow = 5

// groups writes the Groups sheet, on one landscape page: one row per
// group with its response, overall indices and balance with their
// intervals, how it compares with the rest of the organisation, and a heat
// map of its balance in each dimension; then a quadrant chart per
// breakdown column.
func (b *book) groups() {
	s := b.sheet(SheetGroups)
	r, w := b.r, b.w
	lastCol := gFirstDim + len(r.Dimensions) - 1
	b.onePage(s)
	// Wide enough for the headings' longest words in every language
	// ("Geantwortet", "Rücklaufquote", "Respondieron").
	b.widths(s, 11, 22, 12.5, 13.5, 8, 12.5, 8, 12.5, 8, 14, 12, 13)
	b.colWidth(s, gFirstDim, lastCol, 8)
	b.heading(s, lastCol, s, w.T("groups.subtitle", "min", r.MinGroupSize))
	if b.stillOpen(s, lastCol) {
		return
	}

	for c := gColumn; c <= gRate; c++ {
		b.str(s, c, 3, "", b.st.header)
	}
	b.strAcross(s, gLeadership, gLeadershipCI, 3, w.T("common.leadership"), b.st.headerL)
	b.strAcross(s, gManagement, gManagementCI, 3, w.T("common.management"), b.st.headerM)
	b.strAcross(s, gBalance, gBalanceCI, 3, w.T("common.balance"), b.st.header)
	b.strAcross(s, gDifference, gVerdict, 3, w.T("groups.against_rest"), b.st.header)
	b.strAcross(s, gFirstDim, lastCol, 3, w.T("groups.balance_each"), b.st.header)
	score, interval := w.T("common.score"), w.T("common.interval")
	b.headers(s, 4, []string{w.T("groups.breakdown"), w.T("groups.group"), w.T("groups.responded"), w.T("groups.rate"), score, interval,
		score, interval, score, interval, w.T("groups.difference"), w.T("groups.verdict")},
		0, 0, 0, 0, b.st.headerL, b.st.headerL, b.st.headerM, b.st.headerM)
	names := make([]string, len(r.Dimensions))
	for d, dim := range r.Dimensions {
		names[d] = dim.Name
	}
	b.upwards(s, gFirstDim, 4, names)

	row := gFirstRow
	for i := range r.Groups {
		g := &r.Groups[i]
		b.str(s, gColumn, row, w.column(g.Column), b.st.text)
		b.str(s, gValue, row, w.value(g.Column, g.Value), b.st.text)
		if g.Suppressed {
			b.strAcross(s, gResponded, lastCol, row, g.Reason, b.st.note)
			row++
			continue
		}
		b.int(s, gResponded, row, *g.Responded)
		b.num(s, gRate, row, g.ResponseRate, b.st.pct, w.T("common.not_known"))
		interval := w.interval
		if *g.Responded == g.Invited {
			interval = func(*Interval) string { return w.T("common.all_answered") }
		}
		b.num(s, gLeadership, row, g.Leadership, b.st.num1, "")
		b.str(s, gLeadershipCI, row, interval(g.LeadershipCI), b.st.interval)
		b.num(s, gManagement, row, g.Management, b.st.num1, "")
		b.str(s, gManagementCI, row, interval(g.ManagementCI), b.st.interval)
		b.num(s, gBalance, row, g.Balance, b.st.signed1, "")
		b.str(s, gBalanceCI, row, interval(g.BalanceCI), b.st.interval)
		b.num(s, gDifference, row, g.Difference, b.st.signed1, "")
		if g.Differs != nil {
			_, style := b.verdict(g)
			b.str(s, gVerdict, row, w.verdict(*g.Differs), style)
		}
		for d, gd := range g.Dimensions {
			b.num(s, gFirstDim+d, row, gd.Balance, b.st.signed1, b.shortReason(gd.LeadershipHidden, gd.ManagementHidden))
		}
		row++
	}
	last := row - 1
	b.colourRange(s, gLeadership, gFirstRow, last, scaleL)
	b.colourRange(s, gManagement, gFirstRow, last, scaleM)
	b.colourRange(s, gBalance, gFirstRow, last, scaleBalance)
	for d := range r.Dimensions {
		b.colourRange(s, gFirstDim+d, gFirstRow, last, scaleBalance)
	}
	b.freeze(s, gResponded, gFirstRow)
	row++
	if len(r.Groups) == 0 {
		b.paragraph(s, row, lastCol, w.T("groups.no_columns"), b.st.note)
		return
	}
	for _, n := range b.groupNotes() {
		b.paragraph(s, row, lastCol, n, b.st.note)
		row++
	}
	b.quadrantCharts(row+1, lastCol)
}

// stillOpen writes on a sheet of groups, while the campaign is open, why it
// is empty, and reports whether it did.
func (b *book) stillOpen(sheet string, lastCol int) bool {
	if b.r.Closed {
		return false
	}
	b.paragraph(sheet, 4, lastCol, b.w.T("groups.still_open"), b.st.note)
	b.freeze(sheet, 1, 3)
	return true
}

// groupNotes explain the Groups sheet once, below its table.
func (b *book) groupNotes() []string {
	r, w := b.r, b.w
	return []string{
		w.T("groups.note_scores", "all_answered", w.T("common.all_answered"), "more_leadership", w.verdict(MoreLeadership),
			"more_management", w.verdict(MoreManagement), "compared", shownGroups(r), "none", w.verdict(NoClearDifference)),
		b.reasonsNote() + " " + w.T("groups.note_withheld"),
		w.T("groups.note_pooled", "min", r.MinGroupSize, "pooled", w.T("common.pooled")),
	}
}

// reasonsNote explains the short reasons in withheld cells.
func (b *book) reasonsNote() string {
	w := b.w
	return w.T("groups.reasons", "too_few", w.T("common.short_too_few"), "min", b.r.MinGroupSize, "hidden", w.T("common.short_hidden"))
}

// shortReason is the short reason for a cell resting on scores of the
// given visibilities: too few answers, before hidden to protect another.
func (b *book) shortReason(vs ...campaign.Visibility) string {
	why := ""
	for _, v := range vs {
		switch v {
		case campaign.TooFew:
			return b.w.T("common.short_too_few")
		case campaign.Protecting:
			why = b.w.T("common.short_hidden")
		}
	}
	return why
}

// quadrantCharts places, from row on, a quadrant chart for each breakdown
// column with at least three groups that show both indices, side by side.
func (b *book) quadrantCharts(row, lastCol int) {
	s := b.sheet(SheetGroups)
	r := b.r
	guideCol, guideRow := lastCol+2, gFirstRow
	placed := 0
	for from := 0; from < len(r.Groups); {
		to := from
		for to < len(r.Groups) && r.Groups[to].Column == r.Groups[from].Column {
			to++
		}
		var points []excelize.ChartSeries
		lo, hi := 50.0, 50.0
		for i := from; i < to; i++ {
			g := r.Groups[i]
			if g.Suppressed || g.Leadership == nil || g.Management == nil {
				continue
			}
			lo = min(lo, *g.Leadership, *g.Management)
			hi = max(hi, *g.Leadership, *g.Management)
			rw := gFirstRow + i
			colour := GroupColours[len(points)%len(GroupColours)]
			points = append(points, excelize.ChartSeries{
				Name:       absCell(s, gValue, rw),
				Categories: absCell(s, gManagement, rw),
				Values:     absCell(s, gLeadership, rw),
				Marker: excelize.ChartMarker{Symbol: "circle", Size: 9, Fill: fill(colour),
					Border: excelize.LineOptions{Type: excelize.LineSolid, Width: 0.75, Fill: fill("FFFFFF")}},
			})
		}
		column := r.Groups[from].Column
		from = to
		if len(points) < 3 || len(points) > maxScatterGroups {
			continue
		}
		// Both axes span the points with room for their labels, 50 always
		// inside: close groups are not piled on one spot.
		lo = max(0, math.Floor((lo-10)/10)*10)
		hi = min(100, math.Ceil((hi+10)/10)*10)
		var guides []excelize.ChartSeries
		guides, guideRow = b.quadrantGuides(guideCol, guideRow, lo, hi)
		const width, height = 540, 420
		cell, x := b.anchor(s, gValue, row, placed*(width+16))
		b.do(b.f.AddChart(s, cell, &excelize.Chart{
			Type:      excelize.Scatter,
			Series:    append(guides, points...),
			Title:     title(b.w.T("groups.chart_title", "column", b.w.column(column))),
			Legend:    excelize.ChartLegend{Position: "none"},
			PlotArea:  excelize.ChartPlotArea{ShowSerName: true},
			XAxis:     excelize.ChartAxis{Minimum: ptr(lo), Maximum: ptr(hi), MajorUnit: 10, Title: title(b.w.T("common.management")), Font: axisFont},
			YAxis:     excelize.ChartAxis{Minimum: ptr(lo), Maximum: ptr(hi), MajorUnit: 10, Title: title(b.w.T("common.leadership")), Font: axisFont},
			Dimension: excelize.ChartDimension{Width: width, Height: height},
			Format:    excelize.GraphicOptions{OffsetX: x, AltText: b.w.T("groups.chart_alt")},
		}))
		placed++
	}
	if guideRow > gFirstRow {
		b.do(b.f.SetColVisible(s, colName(guideCol)+":"+colName(guideCol+2), false))
	}
}

// quadrantGuides writes, in hidden columns col..col+2 from row on, the
// points of a quadrant chart's dashed lines at 50 and of its quadrant names
// in the corners of an axis range lo..hi, and returns them as series:
// drawn, not marked, labelled with their names (a blank for the lines).
// It returns the row after them too.
func (b *book) quadrantGuides(col, row int, lo, hi float64) ([]excelize.ChartSeries, int) {
	s := b.sheet(SheetGroups)
	left, right := lo+0.02*(hi-lo), 50+0.02*(hi-lo)
	top, bottom := hi-0.05*(hi-lo), lo+0.05*(hi-lo)
	guides := []struct {
		name string
		x, y []float64
	}{
		{" ", []float64{50, 50}, []float64{lo, hi}},
		{" ", []float64{lo, hi}, []float64{50, 50}},
		{b.r.QuadrantName(campaign.LeaderLed), []float64{left}, []float64{top}},
		{b.r.QuadrantName(campaign.LeadsAndManages), []float64{right}, []float64{top}},
		{b.r.QuadrantName(campaign.Neither), []float64{left}, []float64{bottom}},
		{b.r.QuadrantName(campaign.ManagerRun), []float64{right}, []float64{bottom}},
	}
	var out []excelize.ChartSeries
	for _, g := range guides {
		b.do(b.f.SetCellStr(s, ref(col, row), g.name))
		for p := range g.x {
			b.do(b.f.SetCellFloat(s, ref(col+1, row+p), g.x[p], -1, 64))
			b.do(b.f.SetCellFloat(s, ref(col+2, row+p), g.y[p], -1, 64))
		}
		last := row + len(g.x) - 1
		series := excelize.ChartSeries{
			Name:       absCell(s, col, row),
			Categories: absRange(s, col+1, row, last),
			Values:     absRange(s, col+2, row, last),
			Marker:     excelize.ChartMarker{Symbol: "none"},
		}
		if len(g.x) == 2 {
			series.Fill = fill("7F7F7F")
			series.Line = excelize.LineOptions{Type: excelize.LineSolid, Width: 1.25, Dash: excelize.LineDashDash}
		}
		out = append(out, series)
		row = last + 1
	}
	return out, row
}
