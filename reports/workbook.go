package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// The sheets of the workbook, in order. Change appears only with a
// comparison.
const (
	SheetSummary    = "Summary"
	SheetDimensions = "Dimensions"
	SheetGroups     = "Groups"
	SheetItems      = "Items"
	SheetComments   = "Comments"
	SheetMethod     = "Method"
	SheetChange     = "Change"
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

// maxScatterGroups is the most groups a quadrant chart shows: beyond it the
// points and the legend would be unreadable, and the table says it all.
const maxScatterGroups = 40

// groupColours tell the groups apart in the quadrant chart; blue and orange
// are left to leadership and management.
var groupColours = []string{"6A3D9A", "1B9E77", "E7298A", "666666", "A6761D", "66A61E", "B15928", "CAB2D6", "1F78B4", "FB9A99"}

// answerColours colour the answers 1..5 in the Items chart: a diverging
// scale that says nothing about which pole is better.
var answerColours = [5]string{"A6611A", "DFC27D", "D9D9D9", "80CDC1", "018571"}

// WriteWorkbook writes the report as an Excel workbook: Summary, Dimensions,
// Groups, Items, Comments, Method and, with a comparison, Change. Text from
// respondents and from the roster is always written as a string, never as a
// formula. It returns excelize's errors, wrapped.
func WriteWorkbook(w io.Writer, r *Report) error {
	b := &book{f: excelize.NewFile(), r: r}
	defer b.f.Close()
	b.setup()
	b.summary()
	b.dimensions()
	b.groups()
	b.items()
	b.comments()
	b.method()
	if r.Compare != nil {
		b.change()
	}
	b.finish()
	if b.err != nil {
		return fmt.Errorf("write workbook: %w", b.err)
	}
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// book lays out one workbook. Every excelize call goes through do, which
// keeps the first error: the layout code stays readable, and WriteWorkbook
// reports that error at the end.
type book struct {
	f   *excelize.File
	r   *Report
	err error
	st  styles
}

type styles struct {
	title, subtitle, header, headerL, headerM, label, topic, text, note, paragraph int
	num1, signed1, pct, num2, count, countLeft, pctLeft                            int
	bigL, bigM, bigBalance                                                         int
	sideL, sideM                                                                   int
}

func (b *book) do(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

func (b *book) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	b.do(err)
	return id
}

func ref(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}

func fill(colour string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}
}

func (b *book) setup() {
	f := b.f
	b.do(f.SetSheetName("Sheet1", SheetSummary))
	sheets := []string{SheetDimensions, SheetGroups, SheetItems, SheetComments, SheetMethod}
	if b.r.Compare != nil {
		sheets = append(sheets, SheetChange)
	}
	for _, s := range sheets {
		_, err := f.NewSheet(s)
		b.do(err)
	}
	f.SetActiveSheet(0)

	wrapTop := &excelize.Alignment{WrapText: true, Vertical: "top"}
	bottom := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	one, signed, pct, two := "0.0", "+0.0;-0.0;0.0", "0.0%", "0.00"
	b.st = styles{
		title:     b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}}),
		subtitle:  b.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}}),
		header:    b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(colourHeader), Border: bottom, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}),
		headerL:   b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: ColourLeadership}, Fill: fill(colourLeadershipLight), Border: bottom, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}),
		headerM:   b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "B35A12"}, Fill: fill(colourManagementLight), Border: bottom, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}),
		label:     b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}),
		topic:     b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: wrapTop}),
		text:      b.style(&excelize.Style{Alignment: wrapTop}),
		note:      b.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: colourNote}, Alignment: wrapTop}),
		paragraph: b.style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Font: &excelize.Font{Size: 12}}),
		num1:      b.style(&excelize.Style{CustomNumFmt: &one}),
		signed1:   b.style(&excelize.Style{CustomNumFmt: &signed}),
		pct:       b.style(&excelize.Style{CustomNumFmt: &pct}),
		num2:      b.style(&excelize.Style{CustomNumFmt: &two}),
		count:     b.style(&excelize.Style{NumFmt: 3}), // #,##0
		countLeft: b.style(&excelize.Style{NumFmt: 3, Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "left"}}),
		pctLeft:   b.style(&excelize.Style{CustomNumFmt: &pct, Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "left"}}),
		bigL:      b.style(&excelize.Style{CustomNumFmt: &one, Font: &excelize.Font{Bold: true, Size: 14, Color: ColourLeadership}, Alignment: &excelize.Alignment{Horizontal: "left"}}),
		bigM:      b.style(&excelize.Style{CustomNumFmt: &one, Font: &excelize.Font{Bold: true, Size: 14, Color: ColourManagement}, Alignment: &excelize.Alignment{Horizontal: "left"}}),
		bigBalance: b.style(&excelize.Style{CustomNumFmt: &signed, Font: &excelize.Font{Bold: true, Size: 14},
			Alignment: &excelize.Alignment{Horizontal: "left"}}),
		sideL: b.style(&excelize.Style{Font: &excelize.Font{Color: ColourLeadership, Bold: true}, Fill: fill(colourLeadershipLight), Alignment: &excelize.Alignment{Vertical: "top"}}),
		sideM: b.style(&excelize.Style{Font: &excelize.Font{Color: "B35A12", Bold: true}, Fill: fill(colourManagementLight), Alignment: &excelize.Alignment{Vertical: "top"}}),
	}
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
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", sheet, colName(col), from, colName(col), to)
}

func absCell(sheet string, col, row int) string {
	return fmt.Sprintf("%s!$%s$%d", sheet, colName(col), row)
}

func (b *book) tooFew() string {
	return fmt.Sprintf("fewer than %d responses", b.r.MinGroupSize)
}

func (b *book) summary() {
	const s = SheetSummary
	r := b.r
	b.heading(s, r.Title+": "+r.Name, "Scores run from 0 (everyone strongly disagrees) to 100 (everyone strongly agrees); 50 is the middle of the scale.")
	b.widths(s, 22, 16, 70)
	status := "Open"
	statusNote := "still taking answers"
	if r.ClosingDate != "" {
		statusNote = "takes answers until the end of " + r.ClosingDate
	}
	if r.Closed {
		status, statusNote = "Closed", "last day for answers: "+r.ClosingDate
	}
	row := 4
	line := func(label string, value func(col, row int), explain string) {
		b.str(s, 1, row, label, b.st.label)
		value(2, row)
		if explain != "" {
			b.str(s, 3, row, explain, b.st.note)
		}
		row++
	}
	text := func(v string) func(int, int) { return func(c, rw int) { b.str(s, c, rw, v, b.st.label) } }
	count := func(v int) func(int, int) {
		return func(c, rw int) {
			b.int(s, c, rw, v)
			b.do(b.f.SetCellStyle(s, ref(c, rw), ref(c, rw), b.st.countLeft))
		}
	}
	figure := func(v *float64, style int) func(int, int) {
		return func(c, rw int) { b.num(s, c, rw, v, style, b.tooFew()) }
	}
	line("Campaign", text(r.Name), r.Campaign)
	line("Status", text(status), statusNote)
	line("Started", text(r.Created), "")
	line("Invited", count(r.Invited), "people asked to answer")
	line("Delivered", count(r.Delivered), "invitations the mail server accepted")
	line("Responded", count(r.Responded), "people who answered")
	line("Response rate", func(c, rw int) { b.num(s, c, rw, r.ResponseRate, b.st.pctLeft, "no one invited") }, "responded ÷ invited")
	line("Leadership index", figure(r.Leadership, b.st.bigL), "how much staff see leading: people first, coaching, trust, the big picture, growth")
	line("Management index", figure(r.Management, b.st.bigM), "how much staff see managing: systems, control, detail, predictability, directives")
	line("Balance", figure(r.Balance, b.st.bigBalance), "leadership minus management: above 0 leans to leading, below 0 to managing")
	quadrant := b.tooFew()
	if r.Quadrant != nil {
		quadrant = QuadrantWords(campaign.Quadrant(*r.Quadrant))
	}
	b.str(s, 1, row, "Overall picture", b.st.label)
	b.str(s, 2, row, quadrant, b.st.text)
	b.do(b.f.MergeCell(s, ref(2, row), ref(3, row)))
	b.do(b.f.SetRowHeight(s, row, 32))
	row++
	b.str(s, 1, row, "Reliability", b.st.label)
	b.str(s, 2, row, reliabilityWords(r), b.st.text)
	b.do(b.f.MergeCell(s, ref(2, row), ref(3, row)))
	b.do(b.f.SetRowHeight(s, row, 32))
	row += 2

	b.str(s, 1, row, "What this says", b.st.label)
	row++
	b.paragraph(s, row, 3, Reading(r), b.st.paragraph, 95)
	row += 2
	if len(r.Notes) > 0 {
		b.str(s, 1, row, "Please note", b.st.label)
		row++
		for _, n := range r.Notes {
			b.paragraph(s, row, 3, n, b.st.note, 110)
			row++
		}
		row++
	}
	b.freeze(s, 1, 3)

	if r.Leadership == nil && r.Management == nil {
		return
	}
	first, last := 4, 3+len(r.Dimensions)
	b.do(b.f.InsertPageBreak(s, ref(1, row))) // print the chart on a page of its own
	b.do(b.f.AddChart(s, ref(1, row), &excelize.Chart{
		Type:       excelize.Bar,
		VaryColors: ptr(false),
		Series: []excelize.ChartSeries{
			{Name: absCell(SheetDimensions, 2, 3), Categories: absRange(SheetDimensions, 1, first, last), Values: absRange(SheetDimensions, 2, first, last), Fill: fill(ColourLeadership)},
			{Name: absCell(SheetDimensions, 3, 3), Categories: absRange(SheetDimensions, 1, first, last), Values: absRange(SheetDimensions, 3, first, last), Fill: fill(ColourManagement)},
		},
		Title:     title("Leadership and management, dimension by dimension (0–100)"),
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorGridLines: true, MajorUnit: 25, Font: axisFont},
		Dimension: excelize.ChartDimension{Width: 760, Height: uint(120 + 42*len(r.Dimensions))},
		Format:    excelize.GraphicOptions{AltText: "Bar chart of the leadership and management scores of every dimension", OffsetX: 4, OffsetY: 4},
	}))
}

func ptr[T any](v T) *T { return &v }

func (b *book) dimensions() {
	const s = SheetDimensions
	r := b.r
	b.heading(s, "Dimensions", "Each dimension sets one side of leading against one side of managing. Darker colours mean higher scores.")
	b.widths(s, 40, 13, 13, 11, 15, 15, 12)
	b.headers(s, 3, []string{"Dimension", "Leadership", "Management", "Balance", "Leadership: share agreeing", "Management: share agreeing", "Responses"},
		0, b.st.headerL, b.st.headerM, 0, b.st.headerL, b.st.headerM)
	b.do(b.f.SetRowHeight(s, 3, 32))
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
	b.paragraph(s, row, 7, "Leadership and Management: 0 to 100, from the answers to that side's statements. Balance: leadership minus management. "+
		"Share agreeing: answers of Agree or Strongly agree. Responses: people who answered at least one statement of the dimension.", b.st.note, 120)
	b.freeze(s, 1, 4)
}

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

func (b *book) groups() {
	const s = SheetGroups
	r := b.r
	b.heading(s, "Groups", fmt.Sprintf("Each department, and each group of the campaign's other breakdown columns, with at least %d responses. "+
		"Blue: more leadership; orange: more management.", r.MinGroupSize))
	if !r.Closed {
		b.widths(s, 120)
		b.paragraph(s, 4, 1, "Results by group appear once the campaign is closed: comparing two reports taken while answers are still coming in "+
			"could show what the people who answered in between said.", b.st.note, 110)
		b.freeze(s, 1, 3)
		return
	}
	fixed := []string{"Breakdown", "Group", "Invited", "Responded", "Response rate", "Leadership", "Management", "Balance"}
	b.widths(s, 14, 22, 9, 11, 10, 12.5, 12.5, 12.5)
	const firstDim = 9
	b.headers(s, 4, fixed, 0, 0, 0, 0, 0, b.st.headerL, b.st.headerM)
	b.str(s, 6, 3, "All dimensions", b.st.header)
	b.do(b.f.MergeCell(s, ref(6, 3), ref(8, 3)))
	for i := 1; i <= 5; i++ {
		b.str(s, i, 3, "", b.st.header)
	}
	for d, dim := range r.Dimensions {
		col := firstDim + 3*d
		b.str(s, col, 3, dim.Name, b.st.header)
		b.do(b.f.MergeCell(s, ref(col, 3), ref(col+2, 3)))
		b.str(s, col, 4, "Leadership", b.st.headerL)
		b.str(s, col+1, 4, "Management", b.st.headerM)
		b.str(s, col+2, 4, "Balance", b.st.header)
		b.do(b.f.SetColWidth(s, colName(col), colName(col+2), 12.5))
	}
	b.do(b.f.SetRowHeight(s, 3, 32))
	b.do(b.f.SetRowHeight(s, 4, 30))
	lastCol := firstDim + 3*len(r.Dimensions) - 1

	row := 5
	indexWithheld := false
	type span struct {
		column   string
		from, to int
	}
	var spans []span
	for _, g := range r.Groups {
		if len(spans) == 0 || spans[len(spans)-1].column != g.Column {
			spans = append(spans, span{column: g.Column, from: row})
		}
		spans[len(spans)-1].to = row
		b.str(s, 1, row, groupLabel(g.Column), b.st.text)
		b.str(s, 2, row, valueLabel(g.Value), b.st.text)
		b.int(s, 3, row, g.Invited)
		if g.Suppressed {
			b.str(s, 4, row, g.Reason, b.st.note)
			b.do(b.f.MergeCell(s, ref(4, row), ref(lastCol, row)))
			row++
			continue
		}
		b.int(s, 4, row, *g.Responded)
		b.num(s, 5, row, g.ResponseRate, b.st.pct, "not known")
		withheld := "withheld (see below)"
		if g.IndexReason != "" {
			indexWithheld = true
		}
		b.num(s, 6, row, g.Leadership, b.st.num1, withheld)
		b.num(s, 7, row, g.Management, b.st.num1, withheld)
		b.num(s, 8, row, g.Balance, b.st.signed1, "")
		tall := false
		for d, gd := range g.Dimensions {
			col := firstDim + 3*d
			b.num(s, col, row, gd.Leadership, b.st.num1, gd.LeadershipReason)
			b.num(s, col+1, row, gd.Management, b.st.num1, gd.ManagementReason)
			b.num(s, col+2, row, gd.Balance, b.st.signed1, "")
			tall = tall || gd.LeadershipReason != "" || gd.ManagementReason != ""
		}
		if tall {
			b.do(b.f.SetRowHeight(s, row, 44))
		}
		row++
	}
	last := row - 1
	b.colourRange(s, 6, 5, last, scaleL)
	b.colourRange(s, 7, 5, last, scaleM)
	b.colourRange(s, 8, 5, last, scaleBalance)
	for d := range r.Dimensions {
		col := firstDim + 3*d
		b.colourRange(s, col, 5, last, scaleL)
		b.colourRange(s, col+1, 5, last, scaleM)
		b.colourRange(s, col+2, 5, last, scaleBalance)
	}
	b.freeze(s, 3, 5)
	row++
	if len(r.Groups) == 0 {
		b.paragraph(s, row, 8, "The roster has no breakdown columns for this campaign.", b.st.note, 110)
		return
	}
	b.paragraph(s, row, 8, fmt.Sprintf("Groups that invited fewer than %d people are pooled as %q. A group with fewer than %d responses is hidden, "+
		"and where its figures could be worked out by subtracting the groups shown from the total, the next smallest group is hidden too. "+
		"Within a group, a score is shown only when at least %d of its people answered those statements.",
		r.MinGroupSize, campaign.PooledGroup, r.MinGroupSize, r.MinGroupSize), b.st.note, 110)
	row++
	if indexWithheld {
		b.paragraph(s, row, 8, "Withheld: a group's overall index is the average of its dimension scores, so it is withheld when one of those scores is.", b.st.note, 110)
		row++
	}
	row++

	// One quadrant chart per breakdown column with at least three groups
	// that show both indices.
	for _, sp := range spans {
		var series []excelize.ChartSeries
		for rw := sp.from; rw <= sp.to; rw++ {
			g := r.Groups[rw-5]
			if g.Leadership == nil || g.Management == nil {
				continue
			}
			series = append(series, excelize.ChartSeries{
				Name:       absCell(s, 2, rw),
				Categories: absCell(s, 7, rw),
				Values:     absCell(s, 6, rw),
				Marker: excelize.ChartMarker{Symbol: "circle", Size: 9, Fill: fill(groupColours[len(series)%len(groupColours)]),
					Border: excelize.LineOptions{Type: excelize.LineSolid, Width: 0.75, Fill: fill("FFFFFF")}},
			})
		}
		if len(series) < 3 || len(series) > maxScatterGroups {
			continue
		}
		b.do(b.f.AddChart(s, ref(2, row), &excelize.Chart{
			Type:      excelize.Scatter,
			Series:    series,
			Title:     title(groupLabel(sp.column) + ": management (across) and leadership (up)"),
			Legend:    excelize.ChartLegend{Position: "right"},
			XAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorUnit: 50, MajorGridLines: true, Title: title("Management"), Font: axisFont},
			YAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(100.0), MajorUnit: 50, MajorGridLines: true, Title: title("Leadership"), Font: axisFont},
			Dimension: excelize.ChartDimension{Width: 640, Height: 440},
			Format:    excelize.GraphicOptions{AltText: "Scatter chart of the groups: management across, leadership up; the lines at 50 divide the four quadrants"},
		}))
		row += 24
	}
}

func poleWord(p campaign.Pole) string {
	if p == campaign.Management {
		return "Management"
	}
	return "Leadership"
}

func (b *book) items() {
	const s = SheetItems
	r := b.r
	b.heading(s, "Statements", "Every statement, with how people answered it.")
	b.widths(s, 60, 26, 13, 30, 9, 9, 9, 10, 10, 10, 10, 10)
	names := []string{"Statement", "Dimension", "Side", "Short label", "Answers", "Average (1–5)", "Spread"}
	for _, l := range campaign.ScaleLabels {
		names = append(names, l)
	}
	b.headers(s, 3, names)
	b.do(b.f.SetRowHeight(s, 3, 44))
	dimName := map[string]string{}
	for _, d := range r.Dimensions {
		dimName[d.ID] = d.Name
	}
	// Short labels name the dimension and side, numbered where a dimension
	// has more than one statement of a side.
	type side struct{ dim, pole string }
	perSide := map[side]int{}
	for _, it := range r.Items {
		perSide[side{it.Dimension, string(it.Pole)}]++
	}
	seen := map[side]int{}
	row := 4
	for _, it := range r.Items {
		k := side{it.Dimension, string(it.Pole)}
		seen[k]++
		short := dimName[it.Dimension] + " (" + strings.ToLower(poleWord(it.Pole))
		if perSide[k] > 1 {
			short += fmt.Sprintf(" %d", seen[k])
		}
		short += ")"
		b.str(s, 1, row, it.Text, b.st.text)
		b.str(s, 2, row, dimName[it.Dimension], b.st.text)
		side := b.st.sideL
		if it.Pole == campaign.Management {
			side = b.st.sideM
		}
		b.str(s, 3, row, poleWord(it.Pole), side)
		b.str(s, 4, row, short, b.st.text)
		b.int(s, 5, row, it.N)
		b.num(s, 6, row, it.Mean, b.st.num2, b.tooFew())
		b.num(s, 7, row, it.SD, b.st.num2, "")
		if it.Distribution != nil {
			for i, n := range it.Distribution {
				b.int(s, 8+i, row, n)
			}
		}
		row++
	}
	last := row - 1
	b.freeze(s, 2, 4)
	row++
	b.paragraph(s, row, 7, "Answers: people who answered the statement. Average: on the 1–5 scale (3 is the middle). "+
		"Spread: the standard deviation; about two thirds of the answers lie within one spread of the average. "+
		"The last five columns count each answer.", b.st.note, 110)
	row += 2
	if len(r.Items) == 0 || r.Items[0].Distribution == nil {
		return
	}
	var series []excelize.ChartSeries
	for i := range campaign.ScaleLabels {
		series = append(series, excelize.ChartSeries{
			Name:       absCell(s, 8+i, 3),
			Categories: absRange(s, 4, 4, last),
			Values:     absRange(s, 8+i, 4, last),
			Fill:       fill(answerColours[i]),
		})
	}
	b.do(b.f.AddChart(s, ref(1, row), &excelize.Chart{
		Type:       excelize.BarPercentStacked,
		VaryColors: ptr(false),
		Series:     series,
		Title:      title("How people answered each statement"),
		Legend:     excelize.ChartLegend{Position: "bottom"},
		XAxis:      excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:      excelize.ChartAxis{MajorGridLines: true, Font: axisFont},
		Dimension:  excelize.ChartDimension{Width: 900, Height: uint(120 + 24*len(r.Items))},
		Format:     excelize.GraphicOptions{AltText: "Stacked bars: the share of each answer, from strongly disagree to strongly agree, for every statement"},
	}))
}

// comments writes the Comments sheet with a stream writer, since it is the
// one sheet whose size grows with the number of responses.
func (b *book) comments() {
	const s = SheetComments
	r := b.r
	b.printSetup(s)
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

func (b *book) method() {
	const s = SheetMethod
	b.heading(s, "How the figures are worked out", "The scale, every formula, and the rules that keep answers anonymous.")
	b.widths(s, 32, 110)
	b.headers(s, 3, []string{"Topic", "Explanation"})
	row := 4
	for _, m := range Method(b.r) {
		b.str(s, 1, row, m[0], b.st.topic)
		b.str(s, 2, row, m[1], b.st.text)
		lines := len(m[1])/120 + 1
		b.do(b.f.SetRowHeight(s, row, float64(lines)*15+4))
		row++
	}
	b.freeze(s, 1, 4)
}

func (b *book) change() {
	const s = SheetChange
	c := b.r.Compare
	b.heading(s, "Change since "+c.Name, "Each figure now, in the earlier campaign, and the change (now minus before). Positive: higher now.")
	b.widths(s, 36, 12.5, 10, 10, 12.5, 10, 10, 12.5, 10, 10)
	b.headers(s, 3, []string{"", "Leadership now", "before", "change", "Management now", "before", "change", "Balance now", "before", "change"},
		0, b.st.headerL, b.st.headerL, b.st.headerL, b.st.headerM, b.st.headerM, b.st.headerM)
	b.do(b.f.SetRowHeight(s, 3, 32))
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
		b.paragraph(s, row, 10, n, b.st.note, 110)
		row++
	}
	b.freeze(s, 2, 4)
}

// printSetup prints a sheet landscape, as wide as one page.
func (b *book) printSetup(sheet string) {
	b.do(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: ptr("landscape"), Size: ptr(9), FitToWidth: ptr(1), FitToHeight: ptr(0),
	}))
	b.do(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}))
}

func (b *book) finish() {
	for _, s := range b.f.GetSheetList() {
		if s != SheetComments { // set before streaming
			b.printSetup(s)
		}
	}
	r := b.r
	b.do(b.f.SetDocProps(&excelize.DocProperties{
		Title:       r.Title + ": " + r.Name,
		Subject:     "How staff experience leadership and management",
		Description: fmt.Sprintf("lvm-mail report on campaign %s: %d responses of %d invited.", r.Campaign, r.Responded, r.Invited),
		Keywords:    "leadership, management, staff survey",
		Creator:     "lvm-mail",
		Category:    "Staff survey",
		Created:     r.Generated.UTC().Format(time.RFC3339),
		Modified:    r.Generated.UTC().Format(time.RFC3339),
		Language:    "en",
	}))
}
