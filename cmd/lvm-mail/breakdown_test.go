package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// breakdownRoster has 40 people in two departments and three locations,
// each with a personnel number of their own and a start date that 30 of
// them have alone.
func breakdownRoster() string {
	var b strings.Builder
	b.WriteString("email,name,department,location,personnel no.,start date\n")
	for i := range 40 {
		start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%35).Format(time.DateOnly)
		fmt.Fprintf(&b, "p%02d@example.com,Person %02d,%s,%s,%d,%s\n",
			i, i, []string{"Sales", "Support"}[i%2], []string{"Leeds", "York", "Hull"}[i%3], 1000+i, start)
	}
	return b.String()
}

// reportColumns returns the breakdown columns of a closed campaign's
// report, in order.
func reportColumns(c *shell, camp string) []string {
	c.t.Helper()
	c.ok("campaign", "close", camp)
	var rep struct {
		Groups []struct {
			Column string `json:"column"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(c.ok("report", "--campaign", camp, "--format", "json")), &rep); err != nil {
		c.t.Fatal(err)
	}
	var cols []string
	for _, g := range rep.Groups {
		if !slices.Contains(cols, g.Column) {
			cols = append(cols, g.Column)
		}
	}
	return cols
}

// TestBreakdownsAreChosen: the report breaks down by department and by the
// columns chosen with --breakdown or survey.breakdowns, not by every column
// of the roster; the others stay usable for --where. A column whose values
// are mostly unique is refused, naming it.
func TestBreakdownsAreChosen(t *testing.T) {
	c := newShell(t)
	out := c.ok("staff", "import", c.write("staff.csv", breakdownRoster()))
	for _, want := range []string{"location (3 values)", "personnel_no. (every value unique)", "start_date (30 of 40 values unique)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the import does not describe the column %q for breakdowns:\n%s", want, out)
		}
	}

	c.ok("campaign", "create", "--name", "Plain")
	if got := reportColumns(c, "plain"); !slices.Equal(got, []string{"department"}) {
		t.Errorf("without --breakdown the report breaks down by %v, want [department]", got)
	}

	c.ok("campaign", "create", "--name", "By location", "--breakdown", "Location")
	if got := reportColumns(c, "by-location"); !slices.Equal(got, []string{"department", "location"}) {
		t.Errorf("with --breakdown location the report breaks down by %v, want [department location]", got)
	}

	for _, col := range []string{"personnel no.", "email", "start date"} {
		errOut := c.fails(1, "campaign", "create", "--name", "Bad "+col, "--breakdown", col)
		if !strings.Contains(errOut, strings.ReplaceAll(col, " ", "_")) || !strings.Contains(errOut, "unique") {
			t.Errorf("--breakdown %q: got %q, want it refused, naming the column and why", col, errOut)
		}
	}
	errOut := c.fails(1, "campaign", "create", "--name", "Bad floor", "--breakdown", "floor")
	if !strings.Contains(errOut, `"floor"`) || !strings.Contains(errOut, "location") {
		t.Errorf("--breakdown floor: got %q, want the unknown column and the known ones", errOut)
	}

	// Columns that are not breakdowns still choose the audience.
	c.ok("campaign", "create", "--name", "One person", "--where", "personnel_no.=1007")
	if st := c.status("one-person"); st["invited"] != 1.0 {
		t.Errorf("--where on a column that is no breakdown invited %v, want 1", st["invited"])
	}

	c.write("lvm-mail.toml", "database = \""+c.path("lvm-mail.db")+"\"\n[survey]\nbreakdowns = [\"location\"]\n")
	c.ok("campaign", "create", "--name", "From config")
	if got := reportColumns(c, "from-config"); !slices.Equal(got, []string{"department", "location"}) {
		t.Errorf("with survey.breakdowns = [location] the report breaks down by %v, want [department location]", got)
	}
	c.env["LVM_MAIL_SURVEY_BREAKDOWNS"] = "location, personnel no."
	if errOut := c.fails(1, "campaign", "create", "--name", "From env"); !strings.Contains(errOut, "personnel_no.") {
		t.Errorf("LVM_MAIL_SURVEY_BREAKDOWNS with a unique column: got %q", errOut)
	}
}
