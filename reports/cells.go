package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The helpers every sheet lays out its cells with.

func ref(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}

// str writes text as a string cell, whatever it starts with.
func (b *book) str(sheet string, col, row int, s string, style int) {
	b.do(b.f.SetCellStr(sheet, ref(col, row), s))
	if style != 0 {
		b.do(b.f.SetCellStyle(sheet, ref(col, row), ref(col, row), style))
	}
}

// num writes a figure, or the reason it is withheld, in words.
func (b *book) num(sheet string, col, row int, v *float64, style int, why string) {
	if v == nil {
		b.str(sheet, col, row, why, b.st.note)
		return
	}
	b.do(b.f.SetCellFloat(sheet, ref(col, row), *v, -1, 64))
	b.do(b.f.SetCellStyle(sheet, ref(col, row), ref(col, row), style))
}

func (b *book) int(sheet string, col, row, v int) {
	b.do(b.f.SetCellInt(sheet, ref(col, row), int64(v)))
	b.do(b.f.SetCellStyle(sheet, ref(col, row), ref(col, row), b.st.count))
}

// headers writes a header row with the given styles (0: the plain header).
func (b *book) headers(sheet string, row int, names []string, styles ...int) {
	for i, n := range names {
		st := b.st.header
		if i < len(styles) && styles[i] != 0 {
			st = styles[i]
		}
		b.str(sheet, i+1, row, n, st)
	}
}

func (b *book) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		c := colName(i + 1)
		b.do(b.f.SetColWidth(sheet, c, c, w))
	}
}

// freeze keeps the rows above row (and the columns before col) in view.
func (b *book) freeze(sheet string, col, row int) {
	b.do(b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, XSplit: col - 1, YSplit: row - 1, TopLeftCell: ref(col, row), ActivePane: activePane(col, row),
	}))
}

func activePane(col, row int) string {
	switch {
	case col > 1 && row > 1:
		return "bottomRight"
	case col > 1:
		return "topRight"
	default:
		return "bottomLeft"
	}
}

// heading writes a sheet's title and one line saying what it shows.
func (b *book) heading(sheet, title, subtitle string) {
	b.str(sheet, 1, 1, title, b.st.title)
	b.str(sheet, 1, 2, subtitle, b.st.subtitle)
	b.do(b.f.SetRowHeight(sheet, 1, 24))
}

// paragraph writes wrapped text across columns 1..cols, tall enough to read.
func (b *book) paragraph(sheet string, row, cols int, text string, style int, perLine int) {
	b.str(sheet, 1, row, text, style)
	b.do(b.f.MergeCell(sheet, ref(1, row), ref(cols, row)))
	lines := len(text)/perLine + 1 + strings.Count(text, "\n")
	b.do(b.f.SetRowHeight(sheet, row, float64(lines)*16+4))
}

func (b *book) tooFew() string {
	return fmt.Sprintf("fewer than %d responses", b.r.MinGroupSize)
}

func ptr[T any](v T) *T { return &v }

// groupLabel is how a breakdown column reads as a heading: "department" →
// "Department", "cost_centre" → "Cost centre".
func groupLabel(column string) string {
	s := strings.ReplaceAll(column, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func valueLabel(v string) string {
	if strings.TrimSpace(v) == "" {
		return "(blank)"
	}
	return v
}
