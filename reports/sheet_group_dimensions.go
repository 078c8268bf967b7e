package reports

import "fmt"

// The columns of the Group dimensions sheet.
const (
	gdColumn = iota + 1
	gdValue
	gdInvited
	gdResponded
	gdFirstDim // then two columns per dimension: leadership, management
)

// groupDimensions writes the Group dimensions sheet: each group's
// leadership and management score in every dimension, the detail behind
// the Groups sheet's heat map.
func (b *book) groupDimensions() {
	const s = SheetGroupDimensions
	r := b.r
	lastCol := gdFirstDim + 2*len(r.Dimensions) - 1
	b.widths(s, 11, 22, 8, 10.5)
	b.colWidth(s, gdFirstDim, lastCol, 6.5)
	b.heading(s, lastCol, "Groups, dimension by dimension", fmt.Sprintf("Each group's scores in every dimension: L leadership (blue), "+
		"M management (orange), 0 to 100. A score is shown where at least %d people of the group answered that side's statements.", r.MinGroupSize))
	if b.stillOpen(s, lastCol) {
		return
	}
	b.headers(s, 3, []string{"", "", "", ""})
	b.headers(s, 4, []string{"Breakdown", "Group", "Invited", "Responded"})
	for d, dim := range r.Dimensions {
		col := gdFirstDim + 2*d
		b.strAcross(s, col, col+1, 3, dim.Name, b.st.header)
		b.str(s, col, 4, "L", b.st.headerL)
		b.str(s, col+1, 4, "M", b.st.headerM)
	}
	row := gFirstRow
	for _, g := range r.Groups {
		b.str(s, gdColumn, row, groupLabel(g.Column), b.st.text)
		b.str(s, gdValue, row, valueLabel(g.Value), b.st.text)
		b.int(s, gdInvited, row, g.Invited)
		if g.Suppressed {
			b.strAcross(s, gdResponded, lastCol, row, g.Reason, b.st.note)
			row++
			continue
		}
		b.int(s, gdResponded, row, *g.Responded)
		for d, gd := range g.Dimensions {
			col := gdFirstDim + 2*d
			b.num(s, col, row, gd.Leadership, b.st.num1, shortReason(gd.LeadershipHidden))
			b.num(s, col+1, row, gd.Management, b.st.num1, shortReason(gd.ManagementHidden))
		}
		row++
	}
	for d := range r.Dimensions {
		col := gdFirstDim + 2*d
		b.colourRange(s, col, gFirstRow, row-1, scaleL)
		b.colourRange(s, col+1, gFirstRow, row-1, scaleM)
	}
	b.freeze(s, gdInvited, gFirstRow)
	if len(r.Groups) > 0 {
		b.paragraph(s, row+1, lastCol, b.reasonsNote(), b.st.note)
	}
}
