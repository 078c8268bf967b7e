package roster_test

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// FuzzReadCSV checks that reading and importing a CSV roster never panics,
// that what it accepts is a valid roster that reads the same with blank lines above it and when written
// out and read again, and that what it refuses comes with at least one
// problem on a line that exists.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"\uFEFFEmployee ID;E-Mail;Name;Department;Location;Team\r\n" +
			"1001; JANE.SMITH@Example.COM ;\"Smith, Jane\";Finance;London;Payroll\r\n" +
			"1002;zoe.angstrom@example.com;Zoë Ångström;R&D;Malmö;\"Lab \"\"North\"\"\"\r\n" +
			"1004;LI.LEI@example.cn;李雷;Engineering;北京;\r\n\r\n",
		"email,name,department\na@example.com,Ann,Sales\n",
		"email\tfirst name\tlast name\tdept\na@example.com\tAnn\t\tSales\n",
		"Mail, Name, Dept, address\na@example.com, \"Doe, Ann\", Sales, \"1 High St\r\nLeeds\"\r\n",
		"email;name;department;\n;;;\na@example.com;Ann;Sales;\nb@example.com;Bob;Sales;x\n",
		// Refused.
		"",
		"\uFEFF",
		"email,name,department\n",
		"email,name\na@example.com,Ann\n",
		"email,name,department,Team,team\na@example.com,Ann,Sales,Red,Blue\n",
		"email,name,department\nnot-an-address,Ann,Sales\n,Bob,Sales\nA@x.org,Cy,Sales\na@X.ORG,Di,Sales\n",
		"email,name,department\na@example.com,Jo \"JJ\" Doe,Sales\n",
		"email,name,department\n\"a@example.com,Ann,Sales\n",
		"email;name;department\na@example.com;Ann\nb@example.com;Bob;Sales;x\n",
		"email,name,department\na@example.com,Jos\xe9,Sales\n",
		"\"email\nname\",department\r\r\n\"a\"\"b\"@c.de,,\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		staff, err := importCSV(t, "fuzz.csv", string(data))
		if err != nil {
			checkRefusal(t, data, staff, err)
			return
		}
		checkRoster(t, staff)

		// What was accepted reads the same with blank lines above the
		// header, and when written out again with any separator.
		inputs := map[string]string{
			"blank lines first": "\r\n \n\t\r\n" + strings.TrimPrefix(string(data), "\uFEFF"),
		}
		for _, sep := range []string{",", ";", "\t"} {
			inputs[fmt.Sprintf("written with %q", sep)] = writeCSV(staff, sep)
		}
		for name, input := range inputs {
			again, err := importCSV(t, "again.csv", input)
			if err != nil {
				t.Fatalf("%s: got error %v, want none", name, err)
			}
			if !reflect.DeepEqual(again, staff) {
				t.Fatalf("%s: got\n%+v\nwant\n%+v", name, again, staff)
			}
		}
	})
}

func checkRefusal(t *testing.T, data []byte, staff []campaign.StaffMember, err error) {
	t.Helper()
	if staff != nil {
		t.Fatalf("got staff %+v with error %v, want nil", staff, err)
	}
	ie, ok := errors.AsType[*campaign.InputError](err)
	if !ok {
		t.Fatalf("got error %v (%T), want a *campaign.InputError", err, err)
	}
	if ie.Source != "fuzz.csv" {
		t.Errorf("got source %q, want fuzz.csv", ie.Source)
	}
	if len(ie.Problems) == 0 {
		t.Fatal("got an InputError with no problems, want at least one")
	}
	lines := strings.Count(string(data), "\n") + 1
	for i, p := range ie.Problems {
		if p.Line < 0 || p.Line > lines {
			t.Errorf("got problem %q, want a line from 0 to %d", p, lines)
		}
		if i > 0 && p.Line < ie.Problems[i-1].Line {
			t.Errorf("got problem %q after %q, want them ordered by line", p, ie.Problems[i-1])
		}
		if p.Message == "" {
			t.Errorf("got problem %+v with no message", p)
		}
	}
}

func checkRoster(t *testing.T, staff []campaign.StaffMember) {
	t.Helper()
	if len(staff) == 0 {
		t.Fatal("got no staff and no error, want one or the other")
	}
	seen := map[string]bool{}
	for _, m := range staff {
		if err := campaign.ValidateEmail(m.Email); err != nil {
			t.Errorf("got invalid email accepted: %v", err)
		}
		if m.Email != campaign.NormalizeEmail(m.Email) {
			t.Errorf("got email %q, want it normalised", m.Email)
		}
		if seen[m.Email] {
			t.Errorf("got %q twice, want each email once", m.Email)
		}
		seen[m.Email] = true
		if m.Name == "" || m.Name != strings.TrimSpace(m.Name) {
			t.Errorf("got name %q for %s, want a trimmed, non-empty name", m.Name, m.Email)
		}
		if m.Department == "" || m.Department != strings.TrimSpace(m.Department) {
			t.Errorf("got department %q for %s, want a trimmed, non-empty department", m.Department, m.Email)
		}
		if !m.Active {
			t.Errorf("got %s inactive, want active", m.Email)
		}
		if m.Attributes == nil {
			t.Errorf("got nil attributes for %s, want a map", m.Email)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(m.Attributes)), slices.Sorted(maps.Keys(staff[0].Attributes))) {
			t.Errorf("got columns %v for %s and %v for %s, want the same", m.Attributes, m.Email, staff[0].Attributes, staff[0].Email)
		}
		if len(m.Problems()) > 0 {
			t.Errorf("got %s accepted with problems %v", m.Email, m.Problems())
		}
	}
}

// writeCSV writes staff as a roster separated by sep, with every field
// quoted.
func writeCSV(staff []campaign.StaffMember, sep string) string {
	attrs := slices.Sorted(maps.Keys(staff[0].Attributes))
	var b strings.Builder
	writeRecord := func(fields ...string) {
		for i, f := range fields {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
		}
		b.WriteString("\r\n")
	}
	writeRecord(append([]string{campaign.ColumnEmail, campaign.ColumnName, campaign.ColumnFirstName, campaign.ColumnDepartment}, attrs...)...)
	for _, m := range staff {
		fields := []string{m.Email, m.Name, m.FirstName, m.Department}
		for _, k := range attrs {
			fields = append(fields, m.Attributes[k])
		}
		writeRecord(fields...)
	}
	return b.String()
}
