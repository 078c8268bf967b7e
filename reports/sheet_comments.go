package reports

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// comments writes the Comments sheet with a stream writer, since it is the
// one sheet whose size grows with the number of responses.
func (b *book) comments() {
	const s = SheetComments
	r := b.r
	if b.err != nil {
		return
	}
	sw, err := b.f.NewStreamWriter(s)
	if err != nil {
		b.do(err)
		return
	}
	b.do(sw.SetColWidth(1, 1, 100))
	b.do(sw.SetColWidth(2, 2, 24))
	b.do(sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}))
	cell := func(v string, style int) excelize.Cell { return excelize.Cell{Value: v, StyleID: style} }
	b.do(sw.SetRow("A1", []any{cell("Comments", b.st.title)}, excelize.RowOpts{Height: 24}))
	b.do(sw.SetRow("A2", []any{cell(fmt.Sprintf("What people wrote, word for word, in random order. Only from departments with at least %d responses; "+
		"the department is named only where the Groups sheet shows it.", campaign.MinCommentGroupSize), b.st.subtitle)}))
	b.do(sw.SetRow("A3", []any{cell("Comment", b.st.header), cell("Department", b.st.header)}))
	row := 4
	for _, c := range r.Comments.List {
		b.do(sw.SetRow(ref(1, row), []any{cell(c.Text, b.st.text), cell(c.Department, b.st.text)}))
		row++
	}
	var why string
	switch {
	case !r.Closed:
		why = "Comments appear once the campaign is closed."
	case r.Comments.Shown == 0 && r.Comments.Withheld == 0:
		why = "No one wrote a comment."
	case r.Comments.Withheld > 0:
		why = fmt.Sprintf("%d %s not shown: %s.", r.Comments.Withheld, plural(r.Comments.Withheld, "comment is", "comments are"), r.Comments.Reason)
	}
	if why != "" {
		b.do(sw.SetRow(ref(1, row+1), []any{cell(why, b.st.note)}))
	}
	b.do(sw.Flush())
}
