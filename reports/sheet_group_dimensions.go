package reports

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
	s := b.sheet(SheetGroupDimensions)
	r, w := b.r, b.w
	lastCol := gdFirstDim + 2*len(r.Dimensions) - 1
	b.widths(s, 11, 22, 11, 12.5) // "Eingeladen", "Geantwortet", "Respondieron"
	b.colWidth(s, gdFirstDim, lastCol, 6.5)
	b.heading(s, lastCol, w.T("group_dimensions.title"), w.T("group_dimensions.subtitle", "min", r.MinGroupSize))
	if b.stillOpen(s, lastCol) {
		return
	}
	b.headers(s, 3, []string{"", "", "", ""})
	b.headers(s, 4, []string{w.T("groups.breakdown"), w.T("groups.group"), w.T("group_dimensions.invited"), w.T("groups.responded")})
	for d, dim := range r.Dimensions {
		col := gdFirstDim + 2*d
		b.strAcross(s, col, col+1, 3, dim.Name, b.st.header)
		b.str(s, col, 4, w.T("group_dimensions.l"), b.st.headerL)
		b.str(s, col+1, 4, w.T("group_dimensions.m"), b.st.headerM)
	}
	row := gFirstRow
	for _, g := range r.Groups {
		b.str(s, gdColumn, row, w.column(g.Column), b.st.text)
		b.str(s, gdValue, row, w.value(g.Column, g.Value), b.st.text)
		b.int(s, gdInvited, row, g.Invited)
		if g.Suppressed {
			b.strAcross(s, gdResponded, lastCol, row, g.Reason, b.st.note)
			row++
			continue
		}
		b.int(s, gdResponded, row, *g.Responded)
		for d, gd := range g.Dimensions {
			col := gdFirstDim + 2*d
			b.num(s, col, row, gd.Leadership, b.st.num1, b.shortReason(gd.LeadershipHidden))
			b.num(s, col+1, row, gd.Management, b.st.num1, b.shortReason(gd.ManagementHidden))
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
