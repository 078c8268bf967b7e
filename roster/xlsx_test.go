package roster_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/roster"
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
		got, err := roster.Read(path)
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
		staff, err := roster.Read(path)
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
		staff, err := roster.ReadXLSX(strings.NewReader("email,name,department\n"), "staff.xlsx")
		got := problems(t, staff, err, "staff.xlsx")
		if len(got) != 1 || !strings.HasPrefix(got[0], "not a readable .xlsx workbook") {
			t.Errorf("got problems %q, want one saying it is not a readable workbook", got)
		}
	})
	t.Run("HeaderOnly", func(t *testing.T) {
		path := writeXLSX(t, "staff.xlsx", [][]any{{"Email", "Name", "Department"}})
		staff, err := roster.Read(path)
		got := problems(t, staff, err, path)
		want := []string{"no people: the roster has a header but no rows below it"}
		if !slices.Equal(got, want) {
			t.Errorf("got problems %q, want %q", got, want)
		}
	})
}
