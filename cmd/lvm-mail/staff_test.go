package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// hrExport is a roster as HR systems really produce them: a UTF-8 BOM,
// CRLF, ';' separators, quoted names with commas, non-ASCII names, emails in
// upper case with spaces, extra columns and a trailing empty line.
const hrExport = "\ufeffName;E-Mail;Department;Location;Team\r\n" +
	"\"Smith, Jane\";  JANE.SMITH@Example.com ;Sales;Leeds;North\r\n" +
	"Zoë Ångström;zoe@example.com;Sales;York;South\r\n" +
	"José Núñez;jose@example.com;Support;Leeds;North\r\n" +
	"李雷;li.lei@example.com;Sales;Leeds;North\r\n" +
	"\"O'Brien, Pat\";pat@example.com;Finance;Hull;East\r\n" +
	"\r\n"

func TestStaffImport(t *testing.T) {
	c := newShell(t)
	file := c.write("staff.csv", hrExport)
	out := c.ok("staff", "import", file)
	if !strings.Contains(out, "5 added, 0 updated, 0 unchanged, 0 deactivated") {
		t.Errorf("first import said %q", out)
	}
	out = c.ok("staff", "import", file)
	if !strings.Contains(out, "0 added, 0 updated, 5 unchanged, 0 deactivated") {
		t.Errorf("re-import said %q", out)
	}
	list := c.ok("staff", "list")
	for _, want := range []string{"jane.smith@example.com", "Smith, Jane", "Zoë Ångström", "李雷", "location=Leeds team=North"} {
		if !strings.Contains(list, want) {
			t.Errorf("staff list lacks %q:\n%s", want, list)
		}
	}

	smaller := c.write("smaller.csv", strings.Join(strings.Split(hrExport, "\r\n")[:4], "\r\n"))
	out = c.ok("staff", "import", "--deactivate-missing", smaller)
	if !strings.Contains(out, "0 added, 0 updated, 3 unchanged, 2 deactivated") {
		t.Errorf("import --deactivate-missing said %q", out)
	}
	if list := c.ok("staff", "list"); strings.Contains(list, "pat@example.com") {
		t.Errorf("an inactive person is listed:\n%s", list)
	}
	if list := c.ok("staff", "list", "--all"); !strings.Contains(list, "pat@example.com") {
		t.Errorf("staff list --all misses an inactive person:\n%s", list)
	}
}

func TestStaffImportRefusedChangesNothing(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", hrExport))
	before := c.ok("staff", "list", "--all")
	bad := c.write("bad.csv", "email,name,department\n"+
		"ok@example.com,Ok,Sales\n"+
		"not-an-address,Bad,Sales\n"+
		",Missing,Sales\n"+
		"ZOE@example.com,Zoë again,Sales\n"+
		"zoe@example.com,Zoë,Sales\n")
	errOut := c.fails(1, "staff", "import", bad)
	for _, want := range []string{"line 3", "line 4", "line 6", "line 5", "not-an-address"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error lacks %q:\n%s", want, errOut)
		}
	}
	if after := c.ok("staff", "list", "--all"); after != before {
		t.Errorf("a refused import changed the staff:\nbefore\n%s\nafter\n%s", before, after)
	}
}

func TestCampaignWhereDepartment(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", hrExport))
	c.ok("campaign", "create", "--name", "Sales pulse", "--where", "department=Sales")
	st := c.status("sales-pulse")
	if st["invited"] != 3.0 {
		t.Errorf("got %v invited, want the 3 Sales staff", st["invited"])
	}
	c.ok("campaign", "create", "--name", "Leeds north", "--where", "location=leeds", "--where", "team=North")
	if st := c.status("leeds-north"); st["invited"] != 3.0 {
		t.Errorf("got %v invited, want the 3 in Leeds and team North", st["invited"])
	}
	errOut := c.fails(1, "campaign", "create", "--name", "Floor", "--where", "floor=2")
	if !strings.Contains(errOut, `unknown roster column "floor"`) || !strings.Contains(errOut, "location") {
		t.Errorf("got %q, want the unknown column and the known ones", errOut)
	}
}

// TestStaffImportRefusesControlCharacters: a control character in any field
// (an escape sequence that colours the terminal, a line break inside quotes,
// NUL, a C1 control, a tab inside a quoted field) is refused, naming the
// line and the column, and nothing is imported.
func TestStaffImportRefusesControlCharacters(t *testing.T) {
	c := newShell(t)
	file := c.write("staff.csv", "email,name,department,team\n"+
		"eve@example.com,Eve\x1b[31mRED,Sales,North\n"+
		"ann@example.com,Ann,\"Sales\nEvil\",North\n"+
		"bob@example.com,Bob,Sales,\"No\u009brth\"\n"+
		"cy@example.com,\"Cy\tTab\",Sales,North\n"+
		"dee@example.com,Dee,Sa\x00les,North\n"+
		"fay@example.com,Fay,Sales,North\n")
	errOut := c.fails(1, "staff", "import", file)
	for _, want := range []string{
		"line 2: name: contains the control character U+001B",
		"line 3: department: contains the control character U+000A",
		"line 5: team: contains the control character U+009B",
		"line 6: name: contains the control character U+0009",
		"line 7: department: contains the control character U+0000",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the error lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "\x1b") {
		t.Errorf("the error repeats the escape character itself: %q", errOut)
	}
	if _, err := os.Stat(c.path("lvm-mail.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused roster left a database (%v)", err)
	}

	header := c.write("header.csv", "email,name,department,Te\x1b[2Jam\nann@example.com,Ann,Sales,North\n")
	if errOut := c.fails(1, "staff", "import", header); !strings.Contains(errOut, "line 1: column 4: contains the control character U+001B") {
		t.Errorf("a control character in the header: %q", errOut)
	}

	// A tab between columns is a separator, not a problem.
	tabs := c.write("tabs.csv", "email\tname\tdepartment\nann@example.com\tAnn\tSales\n")
	if out := c.ok("staff", "import", tabs); !strings.Contains(out, "1 added") {
		t.Errorf("a tab-separated roster: %q", out)
	}
}

// TestGreetings: with first_name on the roster the emails greet people by
// their first name; with only "Last, First" names they greet them as
// written, and the import warns, counting such names and giving the first
// lines.
func TestGreetings(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("first.csv", "email,first name,last name,name,department\n"+
		"jurgen@example.com,Jürgen,Müller,\"Müller, Jürgen\",Sales\n"+
		"jack@example.com,Jack,Smith,\"Smith, John \"\"Jack\"\"\",Sales\n"))
	c.ok("campaign", "create", "--name", "Pulse")
	for email, want := range map[string]string{"jurgen@example.com": "Hello Jürgen,", "jack@example.com": "Hello Jack,"} {
		out := c.ok("preview", "--campaign", "pulse", "--recipient", email)
		if strings.Count(out, want) != 2 {
			t.Errorf("the preview for %s greets %d times with %q, want in the text and the HTML:\n%s", email, strings.Count(out, want), want, out)
		}
	}

	c = newShell(t)
	var roster strings.Builder
	roster.WriteString("email,name,department\n")
	for i := range 12 {
		fmt.Fprintf(&roster, "p%d@example.com,\"Person%d, Pat\",Sales\n", i, i)
	}
	roster.WriteString("ann@example.com,Ann Lee,Sales\n")
	out := c.ok("staff", "import", c.write("names.csv", roster.String()))
	if !strings.Contains(out, "12 names have a comma (lines 2, 3, 4, 5, 6, …)") || !strings.Contains(out, "first_name") {
		t.Errorf("the import does not warn about the names with a comma, or say what to do:\n%s", out)
	}
	c.ok("campaign", "create", "--name", "Pulse")
	out = c.ok("preview", "--campaign", "pulse", "--recipient", "p0@example.com")
	if !strings.Contains(out, "Hello Person0, Pat,") {
		t.Errorf("without first_name the preview does not greet by the name as written:\n%s", out)
	}
}

// TestStaffImportNamesWhoChanged: the summary names up to 10 people each
// who were added, updated and deactivated, and everyone with --verbose.
func TestStaffImportNamesWhoChanged(t *testing.T) {
	c := newShell(t)
	roster := func(n int, dept func(i int) string) string {
		var b strings.Builder
		b.WriteString("email,name,department\n")
		for i := range n {
			fmt.Fprintf(&b, "p%02d@example.com,Person %02d,%s\n", i, i, dept(i))
		}
		return b.String()
	}
	sales := func(int) string { return "Sales" }
	out := c.ok("staff", "import", c.write("a.csv", roster(15, sales)))
	for _, want := range []string{"Added (15):", "  Person 00 <p00@example.com>", "  Person 09 <p09@example.com>", "  … and 5 more (--verbose lists them all)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Person 10") {
		t.Errorf("the summary lists more than 10 added:\n%s", out)
	}

	// Two move to Support, and the last three leave.
	moved := func(i int) string {
		if i < 2 {
			return "Support"
		}
		return "Sales"
	}
	out = c.ok("staff", "import", "--deactivate-missing", "--verbose", c.write("b.csv", roster(12, moved)))
	for _, want := range []string{"Updated (2):", "  Person 00 <p00@example.com>", "  Person 01 <p01@example.com>",
		"Deactivated (3):", "  Person 12 <p12@example.com>", "  Person 14 <p14@example.com>"} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Added (") || strings.Contains(out, "Person 05") {
		t.Errorf("the summary names people who did not change:\n%s", out)
	}

	out = c.ok("staff", "import", "--verbose", c.write("c.csv", roster(15, moved)))
	if !strings.Contains(out, "Updated (3):") || !strings.Contains(out, "  Person 14 <p14@example.com>") {
		t.Errorf("--verbose does not list the reactivated people:\n%s", out)
	}
}

// TestStaffImportRefusedCreatesNothing: a refused first import leaves no
// database behind, whether the header or a row is wrong.
func TestStaffImportRefusedCreatesNothing(t *testing.T) {
	for name, roster := range map[string]string{
		"header": "mail,who\na@example.com,Ann\n",
		"row":    "email,name,department\na@example.com,Ann,Sales\nnot-an-address,Bob,Sales\n",
	} {
		c := newShell(t)
		c.fails(1, "staff", "import", c.write("staff.csv", roster))
		if entries, _ := os.ReadDir(c.dir); len(entries) != 1 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("%s: a refused import left %v, want only the roster", name, names)
		}
	}
}
