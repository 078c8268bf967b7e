package roster_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// TestReadHRExport reads the kind of file Excel on a European desktop saves:
// BOM, CRLF, semicolons, and the same people from a workbook.
func TestReadHRExport(t *testing.T) {
	csvText := "\uFEFFEmployee ID;E-Mail;Name;Department;Location;Team\r\n" +
		"1001; JANE.SMITH@Example.COM ;\"Smith, Jane\";Finance;London;Payroll\r\n" +
		"1002;zoe.angstrom@example.com;Zoë Ångström;Research & Development;Malmö;\"Lab \"\"North\"\"\"\r\n" +
		"1003;  Jose.Nunez@EXAMPLE.com;José Núñez ; Sales;Madrid;\r\n" +
		"1004;LI.LEI@example.cn;李雷;Engineering;北京;\"Platform; core\"\r\n" +
		"\r\n"
	want := []campaign.StaffMember{
		person("jane.smith@example.com", "Smith, Jane", "Finance", "employee_id", "1001", "location", "London", "team", "Payroll"),
		person("zoe.angstrom@example.com", "Zoë Ångström", "Research & Development", "employee_id", "1002", "location", "Malmö", "team", `Lab "North"`),
		person("jose.nunez@example.com", "José Núñez", "Sales", "employee_id", "1003", "location", "Madrid", "team", ""),
		person("li.lei@example.cn", "李雷", "Engineering", "employee_id", "1004", "location", "北京", "team", "Platform; core"),
	}

	got, err := importFile(t, writeFile(t, "HR Export.CSV", csvText))
	if err != nil {
		t.Fatalf("csv: got error %v, want none", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("csv: got\n%+v\nwant\n%+v", got, want)
	}

	xlsx := writeXLSX(t, "hr-export.xlsx", [][]any{
		{"Employee ID", "E-Mail", "Name", "Department", "Location", "Team"},
		{1001, " JANE.SMITH@Example.COM ", "Smith, Jane", "Finance", "London", "Payroll"},
		{1002, "zoe.angstrom@example.com", "Zoë Ångström", "Research & Development", "Malmö", `Lab "North"`},
		{1003, "  Jose.Nunez@EXAMPLE.com", "José Núñez ", " Sales", "Madrid"},
		{1004, "LI.LEI@example.cn", "李雷", "Engineering", "北京", "Platform; core"},
	})
	gotXLSX, err := importFile(t, xlsx)
	if err != nil {
		t.Fatalf("xlsx: got error %v, want none", err)
	}
	if !reflect.DeepEqual(gotXLSX, got) {
		t.Errorf("xlsx: got\n%+v\nwant the same as the CSV\n%+v", gotXLSX, got)
	}
}

// TestReadRefusesRoster checks that one read reports every bad row, by line,
// and imports nobody.
func TestReadRefusesRoster(t *testing.T) {
	path := writeFile(t, "staff.csv", "email,name,department\n"+
		"ok@example.com,Ok Person,Sales\n"+
		"not-an-address,Bad Address,Sales\n"+
		",No Address,Sales\n"+
		"Dup@Example.com,First Dup,Sales\n"+
		"ok2@example.com,Ok Two,Sales\n"+
		" dup@example.COM ,Second Dup,Sales\n")
	staff, err := importFile(t, path)
	got := problems(t, staff, err, path)
	want := []string{
		`line 3: email: "not-an-address" is not a valid email address`,
		`line 4: email: missing`,
		`line 7: email: dup@example.com already on line 5`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, line := range []string{"line 3", "line 4", "line 5", "line 7"} {
		if !strings.Contains(err.Error(), line) {
			t.Errorf("got error %q, want it to name %s", err, line)
		}
	}
}

func TestReadExtension(t *testing.T) {
	tests := []struct {
		name string
		want string // the problem; "" for success
	}{
		{name: "staff.csv"},
		{name: "STAFF.CSV"},
		{name: "staff.Xlsx"},
		{name: "staff.xls", want: `unsupported file type ".xls": save the roster as .csv (UTF-8) or .xlsx`},
		{name: "staff.TXT", want: `unsupported file type ".TXT": save the roster as .csv (UTF-8) or .xlsx`},
		{name: "staff.csv.bak", want: `unsupported file type ".bak": save the roster as .csv (UTF-8) or .xlsx`},
		{name: "staff", want: `the file has no extension: save the roster as .csv (UTF-8) or .xlsx`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			if strings.HasSuffix(strings.ToLower(tt.name), ".xlsx") {
				path = writeXLSX(t, tt.name, [][]any{{"email", "name", "department"}, {"a@example.com", "Ann", "Sales"}})
			} else {
				path = writeFile(t, tt.name, "email,name,department\na@example.com,Ann,Sales\n")
			}
			staff, err := importFile(t, path)
			if tt.want == "" {
				if err != nil || len(staff) != 1 {
					t.Errorf("got %d people, error %v; want 1 person, no error", len(staff), err)
				}
				return
			}
			got := problems(t, staff, err, path)
			if !slices.Equal(got, []string{tt.want}) {
				t.Errorf("got problems %q, want [%q]", got, tt.want)
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	staff, err := importFile(t, filepath.Join(t.TempDir(), "absent.csv"))
	if staff != nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, %v; want nil, an error matching fs.ErrNotExist", staff, err)
	}
}

// TestLanguageColumn: the language column is kept as written, a tag no
// campaign speaks included, and an empty cell as none.
func TestLanguageColumn(t *testing.T) {
	staff, err := importCSV(t, "staff.csv", "email,name,department,language\n"+
		"a@example.com,Ann,Sales,de-CH\n"+
		"b@example.com,Bob,Sales,xx\n"+
		"c@example.com,Cat,Sales,\n")
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, m := range staff {
		langs = append(langs, m.Language())
	}
	if want := []string{"de-CH", "xx", ""}; !reflect.DeepEqual(langs, want) {
		t.Errorf("languages %q, want %q", langs, want)
	}
}
