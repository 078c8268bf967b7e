package reports

import (
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The helpers every sheet lays out its cells with. Spreadsheet programs
// draw a row at its set height, or the default one, whatever its cells
// wrap (excelize fits nothing): so every wrapped text records the height
// it needs from its length and the width of its column, or of the columns
// it is merged across, and fitRows sets each row to the tallest need.

const (
	defaultColWidth  = 9.140625 // Excel's default, in characters
	defaultRowHeight = 15.0     // points, for the default 11-point font
)

func ref(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}

// layout is what the book knows of a sheet's geometry.
type layout struct {
	widths map[int]float64 // column → width in characters, where set
	need   map[int]float64 // row → the height its text needs, in points
}

func (b *book) layoutOf(sheet string) *layout {
	l, ok := b.layouts[sheet]
	if !ok {
		l = &layout{widths: map[int]float64{}, need: map[int]float64{}}
		b.layouts[sheet] = l
	}
	return l
}

// width returns the width of columns from..to together.
func (b *book) width(sheet string, from, to int) float64 {
	l := b.layoutOf(sheet)
	w := 0.0
	for c := from; c <= to; c++ {
		cw, ok := l.widths[c]
		if !ok {
			cw = defaultColWidth
		}
		w += cw
	}
	return w
}

// atLeast makes a row at least h points tall.
func (b *book) atLeast(sheet string, row int, h float64) {
	l := b.layoutOf(sheet)
	l.need[row] = max(l.need[row], h)
}

// fit records the height text needs in columns from..to of row, in the
// given style.
func (b *book) fit(sheet string, from, to, row int, text string, style int) {
	t, ok := b.text[style]
	if !ok || !t.wrap || t.rotated {
		return
	}
	b.atLeast(sheet, row, t.height(text, b.width(sheet, from, to)))
}

// fitRows sets every row whose text needs more than the default height.
func (b *book) fitRows() {
	for sheet, l := range b.layouts {
		for row, h := range l.need {
			if h > defaultRowHeight {
				b.do(b.f.SetRowHeight(sheet, row, h))
			}
		}
	}
}

// height returns the height in points that text needs in the style,
// wrapped at spaces, in a cell width characters wide.
func (t textStyle) height(text string, width float64) float64 {
	if t.bold {
		width /= 1.1
	}
	return textHeight(text, width, t.size)
}

// textHeight returns the height in points that text needs, wrapped at
// spaces, in a cell width characters wide (Excel's unit: the width of a
// digit of the default 11-point font) at a font of size points. Measured
// with LibreOffice and DejaVu Sans, which stands in for Calibri where it is
// not installed and is wider: a line holds about 1.1 characters of prose
// per unit of width. Calibri's narrower letters leave room to spare.
func textHeight(text string, width, size float64) float64 {
	perLine := max(1, int(width*1.1*11/size))
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines++
		used := 0
		for _, word := range strings.Fields(para) {
			n := utf8.RuneCountInString(word)
			switch {
			case used == 0:
			case used+1+n <= perLine:
				used++
			default:
				lines++
				used = 0
			}
			for n > perLine { // a word longer than a line breaks
				lines++
				n -= perLine
			}
			used += n
		}
	}
	return float64(lines)*size*1.3 + 3
}

// str writes text as a string cell, whatever it starts with, and fits its
// row to it.
func (b *book) str(sheet string, col, row int, s string, style int) {
	b.do(b.f.SetCellStr(sheet, ref(col, row), s))
	if style != 0 {
		b.do(b.f.SetCellStyle(sheet, ref(col, row), ref(col, row), style))
	}
	b.fit(sheet, col, col, row, s, style)
}

// strAcross writes text across columns col..to of a row, merged, and fits
// the row to it.
func (b *book) strAcross(sheet string, col, to, row int, s string, style int) {
	b.do(b.f.SetCellStr(sheet, ref(col, row), s))
	if to > col {
		b.do(b.f.MergeCell(sheet, ref(col, row), ref(to, row)))
	}
	if style != 0 {
		b.do(b.f.SetCellStyle(sheet, ref(col, row), ref(to, row), style))
	}
	b.fit(sheet, col, to, row, s, style)
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

// widths sets the widths of the first columns, in characters.
func (b *book) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		b.colWidth(sheet, i+1, i+1, w)
	}
}

// colWidth sets the width of columns from..to.
func (b *book) colWidth(sheet string, from, to int, w float64) {
	b.do(b.f.SetColWidth(sheet, colName(from), colName(to), w))
	l := b.layoutOf(sheet)
	for c := from; c <= to; c++ {
		l.widths[c] = w
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

// upwards writes header names from col on, written upwards, in rows as tall
// as the longest needs when wrapped in at most three lines.
func (b *book) upwards(sheet string, col, row int, names []string) {
	longest := 0
	for i, n := range names {
		b.str(sheet, col+i, row, n, b.st.headerUp)
		perLine := (utf8.RuneCountInString(n) + 2) / 3
		for _, w := range strings.Fields(n) {
			perLine = max(perLine, utf8.RuneCountInString(w))
		}
		longest = max(longest, perLine)
	}
	// A bold letter of 9 points is about 6 points wide.
	b.atLeast(sheet, row, float64(longest)*6.2+10)
}

// anchor returns the cell and offset, in pixels, x pixels right of column
// col of row: excelize places a chart no further right of its cell than
// the cell is wide.
func (b *book) anchor(sheet string, col, row, x int) (string, int) {
	for {
		px := int(b.width(sheet, col, col)*8 + 0.5) // excelize's pixels for a width
		if x < px {
			return ref(col, row), x
		}
		x -= px
		col++
	}
}

// heading writes a sheet's title and one line saying what it shows, each
// across columns 1..cols.
func (b *book) heading(sheet string, cols int, title, subtitle string) {
	b.strAcross(sheet, 1, cols, 1, title, b.st.title)
	b.strAcross(sheet, 1, cols, 2, subtitle, b.st.subtitle)
}

// paragraph writes wrapped text across columns 1..cols.
func (b *book) paragraph(sheet string, row, cols int, text string, style int) {
	b.strAcross(sheet, 1, cols, row, text, style)
}

func (b *book) tooFew() string {
	return b.w.T("common.too_few", "min", b.r.MinGroupSize)
}

func ptr[T any](v T) *T { return &v }

// groupName names a group by its column and value: "Department: Sales".
func (b *book) groupName(column, value string) string {
	return b.w.column(column) + ": " + b.w.value(column, value)
}
