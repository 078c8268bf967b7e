package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The colours of the workbook: one for leadership and one for management,
// used for headers, charts and heat maps alike.
const (
	ColourLeadership      = "2F6EBA" // blue
	ColourManagement      = "E07B24" // orange
	colourLeadershipLight = "D6E4F5"
	colourManagementLight = "FBE3CF"
	colourNeutral         = "FFFFFF"
	colourHeader          = "E7E6E6"
	colourNote            = "7F7F7F"
)

// styles are the cell styles every sheet shares, made once per workbook.
type styles struct {
	title, subtitle, header, headerL, headerM, headerUp, label, topic, text, note, paragraph int
	num1, signed1, pct, num2, count, countLeft, pctLeft, interval                            int
	bigL, bigM, bigBalance                                                                   int
	sideL, sideM                                                                             int
	verdictL, verdictM, verdictNone                                                          int
}

// textStyle is what fitting a row needs to know of a style.
type textStyle struct {
	wrap    bool
	bold    bool
	rotated bool    // written upwards: its height is set, not fitted
	size    float64 // points
}

// newStyles makes the shared cell styles.
func (b *book) newStyles() styles {
	wrapTop := &excelize.Alignment{WrapText: true, Vertical: "top"}
	top := &excelize.Alignment{Vertical: "top"}
	leftTop := &excelize.Alignment{Horizontal: "left", Vertical: "top"}
	bottom := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	one, signed, pct, two := "0.0", "+0.0;-0.0;0.0", "0.0%", "0.00"
	return styles{
		title:    b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: wrapTop}),
		subtitle: b.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}, Alignment: wrapTop}),
		headerUp: b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 9}, Fill: fill(colourHeader), Border: bottom,
			Alignment: &excelize.Alignment{WrapText: true, TextRotation: 90, Vertical: "bottom", Horizontal: "center"}}),
		header:    b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(colourHeader), Border: bottom, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}),
		headerL:   b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: ColourLeadership}, Fill: fill(colourLeadershipLight), Border: bottom, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}),
		headerM:   b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "B35A12"}, Fill: fill(colourManagementLight), Border: bottom, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}),
		label:     b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrapTop}),
		topic:     b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrapTop}),
		text:      b.style(&excelize.Style{Alignment: wrapTop}),
		note:      b.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: colourNote}, Alignment: wrapTop}),
		paragraph: b.style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Font: &excelize.Font{Size: 12}}),
		num1:      b.style(&excelize.Style{CustomNumFmt: &one, Alignment: top}),
		signed1:   b.style(&excelize.Style{CustomNumFmt: &signed, Alignment: top}),
		pct:       b.style(&excelize.Style{CustomNumFmt: &pct, Alignment: top}),
		num2:      b.style(&excelize.Style{CustomNumFmt: &two, Alignment: top}),
		count:     b.style(&excelize.Style{NumFmt: 3, Alignment: top}), // #,##0
		interval:  b.style(&excelize.Style{Font: &excelize.Font{Color: "404040"}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: true}}),
		countLeft: b.style(&excelize.Style{NumFmt: 3, Font: &excelize.Font{Bold: true}, Alignment: leftTop}),
		pctLeft:   b.style(&excelize.Style{CustomNumFmt: &pct, Font: &excelize.Font{Bold: true}, Alignment: leftTop}),
		bigL:      b.style(&excelize.Style{CustomNumFmt: &one, Font: &excelize.Font{Bold: true, Size: 14, Color: ColourLeadership}, Alignment: leftTop}),
		bigM:      b.style(&excelize.Style{CustomNumFmt: &one, Font: &excelize.Font{Bold: true, Size: 14, Color: ColourManagement}, Alignment: leftTop}),
		bigBalance: b.style(&excelize.Style{CustomNumFmt: &signed, Font: &excelize.Font{Bold: true, Size: 14},
			Alignment: leftTop}),
		sideL:       b.style(&excelize.Style{Font: &excelize.Font{Color: ColourLeadership, Bold: true}, Fill: fill(colourLeadershipLight), Alignment: &excelize.Alignment{Vertical: "top"}}),
		sideM:       b.style(&excelize.Style{Font: &excelize.Font{Color: "B35A12", Bold: true}, Fill: fill(colourManagementLight), Alignment: &excelize.Alignment{Vertical: "top"}}),
		verdictL:    b.style(&excelize.Style{Font: &excelize.Font{Color: ColourLeadership, Bold: true}, Alignment: wrapTop}),
		verdictM:    b.style(&excelize.Style{Font: &excelize.Font{Color: "B35A12", Bold: true}, Alignment: wrapTop}),
		verdictNone: b.style(&excelize.Style{Font: &excelize.Font{Color: "595959"}, Alignment: wrapTop}),
	}
}

// style makes a cell style and notes how its text wraps.
func (b *book) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	b.do(err)
	t := textStyle{size: 11}
	if s.Font != nil && s.Font.Size > 0 {
		t.size = s.Font.Size
	}
	t.bold = s.Font != nil && s.Font.Bold
	t.wrap = s.Alignment != nil && s.Alignment.WrapText
	t.rotated = s.Alignment != nil && s.Alignment.TextRotation != 0
	b.text[id] = t
	return id
}

func fill(colour string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}
}

// scale returns a colour scale over fixed values: 2-colour without mid.
func scale(lo, mid, hi string, loV, midV, hiV float64) []excelize.ConditionalFormatOptions {
	o := excelize.ConditionalFormatOptions{Type: "3_color_scale", Criteria: "=",
		MinType: "num", MinValue: fmt.Sprint(loV), MinColor: "#" + lo,
		MidType: "num", MidValue: fmt.Sprint(midV), MidColor: "#" + mid,
		MaxType: "num", MaxValue: fmt.Sprint(hiV), MaxColor: "#" + hi}
	if mid == "" {
		o.Type, o.MidType, o.MidValue, o.MidColor = "2_color_scale", "", "", ""
	}
	return []excelize.ConditionalFormatOptions{o}
}

// Heat-map scales: indices from pale to the pole's colour, balances from
// management's colour through white to leadership's.
var (
	scaleL       = scale("F7F9FC", "9DBCE3", ColourLeadership, 0, 50, 100)
	scaleM       = scale("FDF8F4", "F2B888", ColourManagement, 0, 50, 100)
	scaleBalance = scale(ColourManagement, colourNeutral, ColourLeadership, -50, 0, 50)
	scaleShareL  = scale(colourNeutral, "", ColourLeadership, 0, 0, 1)
	scaleShareM  = scale(colourNeutral, "", ColourManagement, 0, 0, 1)
)

func (b *book) colourRange(sheet string, col, from, to int, opts []excelize.ConditionalFormatOptions) {
	if to < from {
		return
	}
	b.do(b.f.SetConditionalFormat(sheet, ref(col, from)+":"+ref(col, to), opts))
}

// axisFont keeps axis labels dark enough to read and to print.
var axisFont = excelize.Font{Color: "404040", Size: 9}

func title(text string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: text, Font: &excelize.Font{Bold: true, Size: 12}}}}
}

func absRange(sheet string, col, from, to int) string {
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(sheet), colName(col), from, colName(col), to)
}

func absCell(sheet string, col, row int) string {
	return fmt.Sprintf("%s!$%s$%d", quoteSheet(sheet), colName(col), row)
}

// quoteSheet quotes a sheet's name for a reference when it needs it: a
// name in another language may hold spaces, accents or an apostrophe.
func quoteSheet(name string) string {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return "'" + strings.ReplaceAll(name, "'", "''") + "'"
		}
	}
	return name
}
