package reports

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// The sheets of the workbook. Change appears only with a comparison.
const (
	SheetSummary    = "Summary"
	SheetDimensions = "Dimensions"
	SheetGroups     = "Groups"
	SheetItems      = "Items"
	SheetComments   = "Comments"
	SheetMethod     = "Method"
	SheetChange     = "Change"
)

// A sheet is one sheet of the workbook. Each lives in a file of its own
// (sheet_*.go) with all of its text; adding one is that file and a line in
// sheets.
type sheet struct {
	name  string
	write func(*book)
}

// sheets returns the sheets of r's workbook, in order.
func sheets(r *Report) []sheet {
	list := []sheet{
		{SheetSummary, (*book).summary},
		{SheetDimensions, (*book).dimensions},
		{SheetGroups, (*book).groups},
		{SheetItems, (*book).items},
		{SheetComments, (*book).comments},
		{SheetMethod, (*book).method},
	}
	if r.Compare != nil {
		list = append(list, sheet{SheetChange, (*book).change})
	}
	return list
}

// WriteWorkbook writes the report as an Excel workbook: Summary, Dimensions,
// Groups, Items, Comments, Method and, with a comparison, Change. Text from
// respondents and from the roster is always written as a string, never as a
// formula. It returns excelize's errors, wrapped.
func WriteWorkbook(w io.Writer, r *Report) error {
	b := &book{f: excelize.NewFile(), r: r}
	defer b.f.Close()
	list := sheets(r)
	b.setup(list)
	for _, s := range list {
		s.write(b)
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

func (b *book) do(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// setup creates the sheets, each printed landscape and one page wide (set
// before any sheet is written, since Comments is streamed), and the styles.
func (b *book) setup(list []sheet) {
	for i, s := range list {
		if i == 0 {
			b.do(b.f.SetSheetName("Sheet1", s.name))
		} else {
			_, err := b.f.NewSheet(s.name)
			b.do(err)
		}
		b.printSetup(s.name)
	}
	b.f.SetActiveSheet(0)
	b.st = b.newStyles()
}

// printSetup prints a sheet landscape, as wide as one page.
func (b *book) printSetup(sheet string) {
	b.do(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: ptr("landscape"), Size: ptr(9), FitToWidth: ptr(1), FitToHeight: ptr(0),
	}))
	b.do(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}))
}

func (b *book) finish() {
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
