package reports

// change writes the Change sheet: the change since the compared campaign.
func (b *book) change() {
	const s = SheetChange
	c := b.r.Compare
	b.widths(s, 36, 12.5, 10, 10, 12.5, 10, 10, 12.5, 10, 10)
	b.heading(s, 10, "Change since "+c.Name, "Each figure now, in the earlier campaign, and the change (now minus before). Positive: higher now.")
	b.headers(s, 3, []string{"", "Leadership now", "before", "change", "Management now", "before", "change", "Balance now", "before", "change"},
		0, b.st.headerL, b.st.headerL, b.st.headerL, b.st.headerM, b.st.headerM, b.st.headerM)
	row := 4
	write := func(label string, l, m, bal Change) {
		b.str(s, 1, row, label, b.st.text)
		for i, ch := range []Change{l, m, bal} {
			col := 2 + 3*i
			now := b.st.num1
			if i == 2 {
				now = b.st.signed1
			}
			b.num(s, col, row, ch.Now, now, "not shown")
			b.num(s, col+1, row, ch.Before, now, "not shown")
			b.num(s, col+2, row, ch.Change, b.st.signed1, "")
		}
		row++
	}
	write("All dimensions", c.Leadership, c.Management, c.Balance)
	for _, d := range c.Dimensions {
		write(d.Name, d.Leadership, d.Management, d.Balance)
	}
	if len(c.Groups) > 0 {
		row++
		b.str(s, 1, row, "Groups shown in both campaigns", b.st.label)
		row++
		for _, g := range c.Groups {
			write(groupLabel(g.Column)+": "+valueLabel(g.Value), g.Leadership, g.Management, g.Balance)
		}
	}
	// A rise shows in the pole's own colour, a fall in grey; the balance
	// runs from management's colour to leadership's, as everywhere else.
	b.colourRange(s, 4, 4, row-1, scale("A6A6A6", colourNeutral, ColourLeadership, -20, 0, 20))
	b.colourRange(s, 7, 4, row-1, scale("A6A6A6", colourNeutral, ColourManagement, -20, 0, 20))
	b.colourRange(s, 10, 4, row-1, scale(ColourManagement, colourNeutral, ColourLeadership, -20, 0, 20))
	row++
	for _, n := range c.Notes {
		b.paragraph(s, row, 10, n, b.st.note)
		row++
	}
	b.freeze(s, 2, 4)
}
