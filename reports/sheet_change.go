package reports

// change writes the Change sheet: the change since the compared campaign.
func (b *book) change() {
	s := b.sheet(SheetChange)
	c, w := b.r.Compare, b.w
	b.widths(s, 36, 12.5, 10, 10, 12.5, 10, 10, 12.5, 10, 10)
	b.heading(s, 10, w.T("change.title", "name", c.Name), w.T("change.subtitle"))
	before, change := w.T("change.before"), w.T("change.change")
	b.headers(s, 3, []string{"", w.T("change.leadership_now"), before, change, w.T("change.management_now"), before, change,
		w.T("change.balance_now"), before, change},
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
			b.num(s, col, row, ch.Now, now, w.T("change.not_shown"))
			b.num(s, col+1, row, ch.Before, now, w.T("change.not_shown"))
			b.num(s, col+2, row, ch.Change, b.st.signed1, "")
		}
		row++
	}
	write(w.T("change.all_dimensions"), c.Leadership, c.Management, c.Balance)
	for _, d := range c.Dimensions {
		write(d.Name, d.Leadership, d.Management, d.Balance)
	}
	if len(c.Groups) > 0 {
		row++
		b.str(s, 1, row, w.T("change.groups_in_both"), b.st.label)
		row++
		for _, g := range c.Groups {
			write(b.groupName(g.Column, g.Value), g.Leadership, g.Management, g.Balance)
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
