package reports

import (
	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// comments writes the Comments sheet with a stream writer, since it is the
// one sheet whose size grows with the number of responses.
func (b *book) comments() {
	s := b.sheet(SheetComments)
	r, w := b.r, b.w
	if b.err != nil {
		return
	}
	sw, err := b.f.NewStreamWriter(s)
	if err != nil {
		b.do(err)
		return
	}
	const textWidth, deptWidth = 100, 24
	b.do(sw.SetColWidth(1, 1, textWidth))
	b.do(sw.SetColWidth(2, 2, deptWidth))
	b.do(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}))
	cell := func(v string, style int) excelize.Cell { return excelize.Cell{Value: v, StyleID: style} }
	// A streamed row gets its height as it is written: as tall as its text.
	height := func(text string, width float64, style int) excelize.RowOpts {
		return excelize.RowOpts{Height: max(defaultRowHeight, b.text[style].height(text, width))}
	}
	b.do(sw.SetRow("A1", []any{cell(s, b.st.title)}, height(s, textWidth, b.st.title)))
	sub := w.T("comments.subtitle", "min", campaign.MinCommentGroupSize)
	b.do(sw.SetRow("A2", []any{cell(sub, b.st.subtitle)}, height(sub, textWidth, b.st.subtitle)))
	b.do(sw.SetRow("A3", []any{cell(w.T("comments.comment"), b.st.header), cell(w.T("comments.department"), b.st.header)}))
	row := 4
	for _, c := range r.Comments.List {
		opts := height(c.Text, textWidth, b.st.text)
		opts.Height = max(opts.Height, b.text[b.st.text].height(c.Department, deptWidth))
		b.do(sw.SetRow(ref(1, row), []any{cell(c.Text, b.st.text), cell(c.Department, b.st.text)}, opts))
		row++
	}
	var why string
	switch {
	case !r.Closed:
		why = w.T("comments.when_closed")
	case r.Comments.Shown == 0 && r.Comments.Withheld == 0:
		why = w.T("comments.none_written")
	case r.Comments.Withheld > 0:
		why = w.N("comments.withheld", r.Comments.Withheld, "reason", r.Comments.Reason)
	}
	if why != "" {
		b.do(sw.SetRow(ref(1, row+1), []any{cell(why, b.st.note)}, height(why, textWidth, b.st.note)))
	}
	b.do(sw.Flush())
}
