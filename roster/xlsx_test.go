package roster_test

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func TestReadXLSX(t *testing.T) {
	t.Run("FirstSheetShortRowsAndGaps", func(t *testing.T) {
		path := writeXLSX(t, "staff.xlsx",
			[][]any{
				{"Email", "Name", "Department", "Team", "Start date"},
				{"a@example.com", "Ann", "Sales"},
				{},
				{"b@example.com", "Bob", "Sales", nil, 2024},
			},
			[][]any{{"not", "a", "roster"}},
		)
		got, err := importFile(t, path)
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		want := []campaign.StaffMember{
			person("a@example.com", "Ann", "Sales", "team", "", "start_date", ""),
			person("b@example.com", "Bob", "Sales", "team", "", "start_date", "2024"),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got\n%+v\nwant\n%+v", got, want)
		}
	})
	t.Run("ProblemsByRow", func(t *testing.T) {
		path := writeXLSX(t, "staff.xlsx", [][]any{
			{"Email", "Name", "Department"},
			{"a@example.com", "Ann", "Sales"},
			{},
			{"A@EXAMPLE.COM", "Ann again", "Sales"},
			{"b@example.com", "Bob", nil, "stray"},
		})
		staff, err := importFile(t, path)
		got := problems(t, staff, err, path)
		want := []string{
			"line 4: email: a@example.com already on line 2",
			`line 5: column 4 has a value ("stray") but no header`,
			"line 5: department: missing",
		}
		if !slices.Equal(got, want) {
			t.Errorf("got problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("NotAWorkbook", func(t *testing.T) {
		path := writeFile(t, "staff.xlsx", "email,name,department\n")
		staff, err := importFile(t, path)
		got := problems(t, staff, err, path)
		if len(got) != 1 || !strings.HasPrefix(got[0], "not a readable .xlsx workbook") {
			t.Errorf("got problems %q, want one saying it is not a readable workbook", got)
		}
	})
	t.Run("HeaderOnly", func(t *testing.T) {
		path := writeXLSX(t, "staff.xlsx", [][]any{{"Email", "Name", "Department"}})
		staff, err := importFile(t, path)
		got := problems(t, staff, err, path)
		want := []string{"no people: the roster has a header but no rows below it"}
		if !slices.Equal(got, want) {
			t.Errorf("got problems %q, want %q", got, want)
		}
	})
}

// TestReadXLSXBoundsCells: a workbook of a few KB whose 3,000 rows each
// hold one cell in the last column Excel has (XFD) is refused at the first
// such row, with a clear error, without allocating a cell for every column
// of every row.
func TestReadXLSXBoundsCells(t *testing.T) {
	var sheet strings.Builder
	for r := 1; r <= 3000; r++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, r, r)
	}
	path := writeRawXLSX(t, "wide.xlsx", sheet.String())
	if fi, _ := os.Stat(path); fi.Size() > 32<<10 {
		t.Fatalf("the workbook is %d bytes, want a small one", fi.Size())
	}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	staff, err := importFile(t, path)
	runtime.ReadMemStats(&after)
	got := problems(t, staff, err, path)
	want := "line 1: a cell in column XFD (column 16384): a roster may use columns A to IV (256); delete the cells beyond them"
	if len(got) != 1 || got[0] != want {
		t.Errorf("got problems %q, want [%q]", got, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("reading the workbook allocated %d MB, want it refused before 64 MB", alloc>>20)
	}
}
