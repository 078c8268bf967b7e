package reports

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// The sheets of the workbook, named in English; a workbook in another
// language names them in it (sheet.* in text/LANG.toml). Change appears
// only with a comparison.
const (
	SheetSummary         = "Summary"
	SheetChange          = "Change"
	SheetGroups          = "Groups"
	SheetGroupDimensions = "Group dimensions"
	SheetDimensions      = "Dimensions"
	SheetItems           = "Items"
	SheetComments        = "Comments"
	SheetMethod          = "Method"
)

// A sheet is one sheet of the workbook. Each lives in a file of its own
// (sheet_*.go), and its words in a table of its own in text/LANG.toml;
// adding one is that file, that table and a line in sheets.
type sheet struct {
	name  string // one of the Sheet constants
	key   string // the catalog key of its name
	write func(*book)
}

// sheets returns the sheets of r's workbook, in order: what an owner reads
// first comes first.
func sheets(r *Report) []sheet {
	list := []sheet{{SheetSummary, "sheet.summary", (*book).summary}}
	if r.Compare != nil {
		list = append(list, sheet{SheetChange, "sheet.change", (*book).change})
	}
	return append(list,
		sheet{SheetGroups, "sheet.groups", (*book).groups},
		sheet{SheetGroupDimensions, "sheet.group_dimensions", (*book).groupDimensions},
		sheet{SheetDimensions, "sheet.dimensions", (*book).dimensions},
		sheet{SheetItems, "sheet.items", (*book).items},
		sheet{SheetComments, "sheet.comments", (*book).comments},
		sheet{SheetMethod, "sheet.method", (*book).method},
	)
}

// WriteWorkbook writes the report as an Excel workbook: Summary, Change
// (with a comparison), Groups, Group dimensions, Dimensions, Items,
// Comments and Method, in the report's language, every sheet printed
// landscape and one page wide, every row as tall as its wrapped text. Text
// from respondents and from the roster is always written as a string,
// never as a formula. It returns excelize's errors, wrapped.
func WriteWorkbook(w io.Writer, r *Report) error {
	b := &book{f: excelize.NewFile(), r: r, w: r.w, layouts: map[string]*layout{}, text: map[int]textStyle{}, names: map[string]string{}}
	defer b.f.Close()
	list := sheets(r)
	b.setup(list)
	for _, s := range list {
		s.write(b)
	}
	b.fitRows()
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
	f       *excelize.File
	r       *Report
	w       wording           // the report's words
	names   map[string]string // Sheet constant → the sheet's name in the report's language
	err     error
	st      styles
	text    map[int]textStyle  // style → how its text wraps
	layouts map[string]*layout // sheet → column widths and row heights
}

func (b *book) do(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// setup creates the sheets, each printed landscape and one page wide (set
// before any sheet is written, since Comments is streamed), and the styles.
func (b *book) setup(list []sheet) {
	for i, s := range list {
		name := b.w.T(s.key)
		b.names[s.name] = name
		if i == 0 {
			b.do(b.f.SetSheetName("Sheet1", name))
		} else {
			_, err := b.f.NewSheet(name)
			b.do(err)
		}
		b.printSetup(name)
	}
	b.f.SetActiveSheet(0)
	b.st = b.newStyles()
}

// sheet returns the name, in the report's language, of the sheet a Sheet
// constant names.
func (b *book) sheet(name string) string { return b.names[name] }

// printSetup prints a sheet landscape, as wide as one page.
func (b *book) printSetup(sheet string) {
	b.do(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: ptr("landscape"), Size: ptr(9), FitToWidth: ptr(1), FitToHeight: ptr(0),
	}))
	b.do(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}))
	b.do(b.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: ptr(0.4), Right: ptr(0.4), Top: ptr(0.5), Bottom: ptr(0.5), Header: ptr(0.2), Footer: ptr(0.2),
	}))
}

// onePage prints a sheet on one page, however long.
func (b *book) onePage(sheet string) {
	b.do(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{FitToHeight: ptr(1)}))
}

func (b *book) finish() {
	r := b.r
	b.do(b.f.SetDocProps(&excelize.DocProperties{
		Title:       b.w.T("summary.heading", "title", r.Title, "name", r.Name),
		Subject:     b.w.T("doc.subject"),
		Description: b.w.T("doc.description", "slug", r.Campaign, "responded", r.Responded, "invited", r.Invited),
		Keywords:    b.w.T("doc.keywords"),
		Creator:     "lvm-mail",
		Category:    b.w.T("doc.category"),
		Created:     r.Generated.UTC().Format(time.RFC3339),
		Modified:    r.Generated.UTC().Format(time.RFC3339),
		Language:    b.w.Lang(),
	}))
}
