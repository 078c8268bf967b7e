package reports

// dimensions writes the Dimensions sheet: each dimension's scores.
func (b *book) dimensions() {
	s := b.sheet(SheetDimensions)
	r, w := b.r, b.w
	b.widths(s, 40, 13, 13, 11, 15, 15, 12)
	b.heading(s, 7, s, w.T("dimensions.subtitle"))
	b.headers(s, 3, []string{w.T("dimensions.dimension"), w.T("common.leadership"), w.T("common.management"), w.T("common.balance"),
		w.T("dimensions.share_l"), w.T("dimensions.share_m"), w.T("dimensions.responses")},
		0, b.st.headerL, b.st.headerM, 0, b.st.headerL, b.st.headerM)
	row := 4
	for _, d := range r.Dimensions {
		b.str(s, 1, row, d.Name, b.st.text)
		b.num(s, 2, row, d.Leadership, b.st.num1, b.tooFew())
		b.num(s, 3, row, d.Management, b.st.num1, b.tooFew())
		b.num(s, 4, row, d.Balance, b.st.signed1, "")
		b.num(s, 5, row, d.Favourability.Leadership, b.st.pct, "")
		b.num(s, 6, row, d.Favourability.Management, b.st.pct, "")
		b.int(s, 7, row, d.N)
		row++
	}
	last := row - 1
	b.colourRange(s, 2, 4, last, scaleL)
	b.colourRange(s, 3, 4, last, scaleM)
	b.colourRange(s, 4, 4, last, scaleBalance)
	b.colourRange(s, 5, 4, last, scaleShareL)
	b.colourRange(s, 6, 4, last, scaleShareM)
	row++
	b.paragraph(s, row, 7, w.T("dimensions.note"), b.st.note)
	b.freeze(s, 1, 4)
}
