package reports

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// maxScatterGroups is the most groups a quadrant chart shows: beyond it the
// points and the legend would be unreadable, and the table says it all.
const maxScatterGroups = 40

// groupColours tell the groups apart in the quadrant chart; blue and orange
// are left to leadership and management.
var groupColours = []string{"6A3D9A", "1B9E77", "E7298A", "666666", "A6761D", "66A61E", "B15928", "CAB2D6", "1F78B4", "FB9A99"}

// groups writes the Groups sheet: each breakdown group's scores, with a
// quadrant chart per breakdown column.
func (b *book) groups() {
	const s = SheetGroups
	r := b.r
	b.heading(s, "Groups", fmt.Sprintf("Each department, and each group of the other roster columns, with at least %d responses. "+
		"Blue: more leadership; orange: more management.", r.MinGroupSize))
	if !r.Closed {
		b.widths(s, 120)
		b.paragraph(s, 4, 1, "Results by group appear once the campaign is closed: comparing two reports taken while answers are still coming in "+
			"could show what the people who answered in between said.", b.st.note, 110)
		b.freeze(s, 1, 3)
		return
	}
	fixed := []string{"Breakdown", "Group", "Invited", "Responded", "Response rate", "Leadership", "Management", "Balance"}
	b.widths(s, 14, 22, 9, 11, 10, 12.5, 12.5, 12.5)
	const firstDim = 9
	b.headers(s, 4, fixed, 0, 0, 0, 0, 0, b.st.headerL, b.st.headerM)
	b.str(s, 6, 3, "All dimensions", b.st.header)
	b.do(b.f.MergeCell(s, ref(6, 3), ref(8, 3)))
	for i := 1; i <= 5; i++ {
		b.str(s, i, 3, "", b.st.header)
	}
	for d, dim := range r.Dimensions {
		col := firstDim + 3*d
		b.str(s, col, 3, dim.Name, b.st.header)
		b.do(b.f.MergeCell(s, ref(col, 3), ref(col+2, 3)))
		b.str(s, col, 4, "Leadership", b.st.headerL)
		b.str(s, col+1, 4, "Management", b.st.headerM)
		b.str(s, col+2, 4, "Balance", b.st.header)
		b.do(b.f.SetColWidth(s, colName(col), colName(col+2), 12.5))
	}
	b.do(b.f.SetRowHeight(s, 3, 32))
	b.do(b.f.SetRowHeight(s, 4, 30))
	lastCol := firstDim + 3*len(r.Dimensions) - 1

	row := 5
	indexWithheld := false
	type span struct {
		column   string
		from, to int
	}
	var spans []span
	for _, g := range r.Groups {
		if len(spans) == 0 || spans[len(spans)-1].column != g.Column {
			spans = append(spans, span{column: g.Column, from: row})
		}
		spans[len(spans)-1].to = row
		b.str(s, 1, row, groupLabel(g.Column), b.st.text)
		b.str(s, 2, row, valueLabel(g.Value), b.st.text)
		b.int(s, 3, row, g.Invited)
		if g.Suppressed {
			b.str(s, 4, row, g.Reason, b.st.note)
			b.do(b.f.MergeCell(s, ref(4, row), ref(lastCol, row)))
			row++
			continue
		}
		b.int(s, 4, row, *g.Responded)
		b.num(s, 5, row, g.ResponseRate, b.st.pct, "not known")
		withheld := "withheld (see below)"
		b.num(s, 6, row, g.Leadership, b.st.num1, withheld)
		b.num(s, 7, row, g.Management, b.st.num1, withheld)
		b.num(s, 8, row, g.Balance, b.st.signed1, "")
		tall := false
		for d, gd := range g.Dimensions {
			col := firstDim + 3*d
			b.num(s, col, row, gd.Leadership, b.st.num1, gd.LeadershipReason)
			b.num(s, col+1, row, gd.Management, b.st.num1, gd.ManagementReason)
			b.num(s, col+2, row, gd.Balance, b.st.signed1, "")
			tall = tall || gd.LeadershipReason != "" || gd.ManagementReason != ""
		}
		if tall {
			b.do(b.f.SetRowHeight(s, row, 44))
		}
		row++
	}
	last := row - 1
	b.colourRange(s, 6, 5, last, scaleL)
	b.colourRange(s, 7, 5, last, scaleM)
	b.colourRange(s, 8, 5, last, scaleBalance)
	for d := range r.Dimensions {
		col := firstDim + 3*d
		b.colourRange(s, col, 5, last, scaleL)
		b.colourRange(s, col+1, 5, last, scaleM)
		b.colourRange(s, col+2, 5, last, scaleBalance)
	}
	b.freeze(s, 3, 5)
	row++
	if len(r.Groups) == 0 {
		b.paragraph(s, row, 8, "The roster has no breakdown columns for this campaign.", b.st.note, 110)
		return
	}
	b.paragraph(s, row, 8, fmt.Sprintf("Groups that invited fewer than %d people are pooled as %q. A group with fewer than %d responses is hidden, "+
		"and where its figures could be worked out by subtracting the groups shown from the total, the next smallest group is hidden too. "+
		"Within a group, a score is shown only when at least %d of its people answered those statements.",
		r.MinGroupSize, campaign.PooledGroup, r.MinGroupSize, r.MinGroupSize), b.st.note, 110)
	row++
	if indexWithheld {
		b.paragraph(s, row, 8, "Withheld: a group's overall index is the average of its dimension scores, so it is withheld when one of those scores is.", b.st.note, 110)
		row++
	}
	row++

	// One quadrant chart per breakdown column with at least three groups
	// that show both indices.
	for _, sp := range spans {
		var series []excelize.ChartSeries
		for rw := sp.from; rw <= sp.to; rw++ {
			g := r.Groups[rw-5]
			if g.Leadership == nil || g.Management == nil {
				continue
			}
			series = append(series, excelize.ChartSeries{
				Name:       absCell(s, 2, rw),
				Categories: absCell(s, 7, rw),
				Values:     absCell(s, 6, rw),
				Marker: excelize.ChartMarker{Symbol: "circle", Size: 9, Fill: fill(groupColours[len(series)%len(groupColours)]),
					Border: excelize.LineOptions{Type: excelize.LineSolid, Width: 0.75, Fill: fill("FFFFFF")}},
			})
		}
		if len(series) < 3 || len(series) > maxScatterGroups {
			continue
		}
		b.do(b.f.AddChart(s, ref(2, row), &excelize.Chart{
			Type:      excelize.Scatter,
			Series:    series,
			Title:     title(groupLabel(sp.column) + ": management (across) and leadership (up)"),
			Legend:    excelize.ChartLegend{Position: "right"},
			XAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorUnit: 50, MajorGridLines: true, Title: title("Management"), Font: axisFont},
			YAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorUnit: 50, MajorGridLines: true, Title: title("Leadership"), Font: axisFont},
			Dimension: excelize.ChartDimension{Width: 640, Height: 440},
			Format:    excelize.GraphicOptions{AltText: "Scatter chart of the groups: management across, leadership up; the lines at 50 divide the four quadrants"},
		}))
		row += 24
	}
}
