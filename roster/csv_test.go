package roster_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []campaign.StaffMember
	}{
		{
			name:  "Comma",
			input: "email,name,department\na@example.com,Ann,Sales\n",
			want:  []campaign.StaffMember{person("a@example.com", "Ann", "Sales")},
		},
		{
			name:  "NoFinalNewline",
			input: "email,name,department\r\na@example.com,Ann,Sales",
			want:  []campaign.StaffMember{person("a@example.com", "Ann", "Sales")},
		},
		{
			name:  "Tab",
			input: "email\tname\tdepartment\tteam\tsite\na@example.com\tAnn\tSales\t\tLeeds\n",
			want:  []campaign.StaffMember{person("a@example.com", "Ann", "Sales", "team", "", "site", "Leeds")},
		},
		{
			name:  "SeparatorsInQuotedHeader",
			input: "email;name;department;\"Cost centre (code, owner, region, budget)\"\na@example.com;Ann;Sales;\"1, 2\"\n",
			want: []campaign.StaffMember{person("a@example.com", "Ann", "Sales",
				"cost_centre_(code,_owner,_region,_budget)", "1, 2")},
		},
		{
			name:  "SpaceBeforeQuotedField",
			input: "email, name, department\na@example.com, \"Doe, Ann\", Sales\n",
			want:  []campaign.StaffMember{person("a@example.com", "Doe, Ann", "Sales")},
		},
		{
			name:  "HeaderCaseAndSpaces",
			input: "  EMAIL ,  Name,DEPARTMENT  , Cost   Centre \na@example.com,Ann,Sales,42\n",
			want:  []campaign.StaffMember{person("a@example.com", "Ann", "Sales", "cost_centre", "42")},
		},
		{
			name:  "Synonyms",
			input: "Email Address;Name;Dept\na@example.com;Ann;Sales\n",
			want:  []campaign.StaffMember{person("a@example.com", "Ann", "Sales")},
		},
		{
			name:  "SynonymsMail",
			input: "Mail,Name,Department\na@example.com,Ann,Sales\n",
			want:  []campaign.StaffMember{person("a@example.com", "Ann", "Sales")},
		},
		{
			name:  "FirstAndLastName",
			input: "Email;First Name;Last Name;Department\na@example.com; Ann ; Lee ;Sales\nb@example.com;Madonna;;Music\n",
			want: []campaign.StaffMember{
				withFirstName(person("a@example.com", "Ann Lee", "Sales"), "Ann"),
				withFirstName(person("b@example.com", "Madonna", "Music"), "Madonna"),
			},
		},
		{
			name:  "NameWinsOverFirstAndLast",
			input: "email,first_name,last_name,name,department\na@example.com,Ann,Lee,\"Lee, Ann (Dr)\",Sales\n",
			want:  []campaign.StaffMember{withFirstName(person("a@example.com", "Lee, Ann (Dr)", "Sales"), "Ann")},
		},
		{
			// The separator comes from the header, not the blank lines above it.
			name:  "BlankLinesBeforeHeader",
			input: " \r\n\r\n;;;\r\n\t\r\nemail;name;department;team\r\na@example.com;Ann;Sales;Red, Blue\r\n",
			want:  []campaign.StaffMember{person("a@example.com", "Ann", "Sales", "team", "Red, Blue")},
		},
		{
			name: "EmptyRowsSkipped",
			input: "\r\n\r\nemail;name;department;\r\n;;;\r\na@example.com;Ann;Sales;\r\n \r\n;;;\r\n" +
				"b@example.com;Bob;Sales;\r\n\r\n\r\n",
			want: []campaign.StaffMember{
				person("a@example.com", "Ann", "Sales"),
				person("b@example.com", "Bob", "Sales"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importCSV(t, "staff.csv", tt.input)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestReadCSVProblems(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			name:  "MissingColumns",
			input: "Email,Full Name,Location\na@example.com,Ann,Leeds\n",
			want:  []string{`line 1: missing columns name (or first_name and last_name), department; the header has: "Email", "Full Name", "Location"`},
		},
		{
			name:  "MissingDepartment",
			input: "\uFEFFemail;name;team\r\na@example.com;Ann;Red\r\n",
			want:  []string{`line 1: missing column department; the header has: "email", "name", "team"`},
		},
		{
			name:  "FirstNameWithoutLastName",
			input: "email,first name,department\na@example.com,Ann,Sales\n",
			want:  []string{`line 1: missing column name (or first_name and last_name); the header has: "email", "first name", "department"`},
		},
		{
			name:  "DuplicateColumn",
			input: "email,name,department,Team,team\na@example.com,Ann,Sales,Red,Blue\n",
			want:  []string{`line 1: team: duplicate column: "Team" (column 4) and "team" (column 5)`},
		},
		{
			name:  "DuplicateColumnBySynonym",
			input: "email,name,department,Dept\na@example.com,Ann,Sales,Sales\n",
			want:  []string{`line 1: department: duplicate column: "department" (column 3) and "Dept" (column 4)`},
		},
		{
			name:  "WrongFieldCount",
			input: "email;name;department\na@example.com;Ann\nb@example.com;Bob;Sales\nc@example.com;Lee, Cy;Sales;x\n",
			want: []string{
				`line 2: 2 fields, but the header has 3 (a value with ";" in it must be in double quotes)`,
				`line 4: 4 fields, but the header has 3 (a value with ";" in it must be in double quotes)`,
			},
		},
		{
			name:  "WrongFieldCountTab",
			input: "email\tname\tdepartment\na@example.com\tAnn\tSales\t\n",
			want:  []string{"line 2: 4 fields, but the header has 3 (a value with a tab in it must be in double quotes)"},
		},
		{
			name:  "MissingNameAndDepartment",
			input: "email,name,department\na@example.com, , \n",
			want:  []string{"line 2: name: missing", "line 2: department: missing"},
		},
		{
			name:  "ValueWithoutHeader",
			input: "email,name,department,\na@example.com,Ann,Sales,\nb@example.com,Bob,Sales,oops\n",
			want:  []string{`line 3: column 4 has a value ("oops") but no header`},
		},
		{
			name:  "Empty",
			input: "",
			want:  []string{"the roster is empty: no header line"},
		},
		{
			name:  "OnlyBOMAndBlankLines",
			input: "\uFEFF\r\n\r\n  \r\n",
			want:  []string{"the roster is empty: no header line"},
		},
		{
			name:  "HeaderOnly",
			input: "\uFEFFemail;name;department\r\n;;\r\n\r\n",
			want:  []string{"no people: the roster has a header but no rows below it"},
		},
		{
			name:  "NotUTF8",
			input: "email,name,department\na@example.com,Ann,Sales\nj@example.com,Jos\xe9,Sales\n",
			want:  []string{`line 3: the file is not UTF-8 text: save it as "CSV UTF-8"`},
		},
		{
			// Rows before the quote are checked; nothing after it can be trusted.
			name: "BareQuote",
			input: "email,name,department\nbad,Ann,Sales\n" +
				"j@example.com,Jo \"JJ\" Doe,Sales\nalso bad,Bob,Sales\n",
			want: []string{
				`line 2: email: "bad" is not a valid email address`,
				`line 3: bare " in non-quoted-field at line 3, column 18; put a value holding a double quote, "," or a line break in double quotes, and double each quote inside it; nothing after this was read`,
			},
		},
		{
			name:  "UnterminatedQuote",
			input: "email,name,department\na@example.com,Ann,Sales\n\"b@example.com,Bob,Sales\nc@example.com,Cy,Sales\n",
			want: []string{
				`line 3: extraneous or missing " in quoted-field at line 4, column 24; put a value holding a double quote, "," or a line break in double quotes, and double each quote inside it; nothing after this was read`,
			},
		},
		{
			// Line numbers are physical lines, counting those inside quotes.
			name: "LinesAfterLineBreaksInQuotes",
			input: "email,name,department,address\n" +
				"a@example.com,Ann,Sales,\"1 High St\nLeeds\nLS1\"\n" +
				"b@example.com,,Sales,\"2 Low St\r\nYork\"\r\n" +
				"\"A@example.com\",Ann,Sales,\n",
			want: []string{
				"line 2: address: contains the control character U+000A at character 10; remove it (a tab may only separate columns)",
				"line 5: name: missing",
				"line 5: address: contains the control character U+000A at character 9; remove it (a tab may only separate columns)",
				"line 7: email: a@example.com already on line 2",
			},
		},
		{
			// A line break inside quotes is read, and refused: it would
			// split the staff list and the emails' address lines.
			name:  "LineBreakInQuotedField",
			input: "email,name,department,address\na@example.com,Ann,Sales,\"1 High St\r\nLeeds\"\r\n",
			want:  []string{"line 2: address: contains the control character U+000A at character 10; remove it (a tab may only separate columns)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			staff, err := importCSV(t, "staff.csv", tt.input)
			got := problems(t, staff, err, "staff.csv")
			if !slices.Equal(got, tt.want) {
				t.Errorf("got problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
