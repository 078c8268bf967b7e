package campaign

import (
	"context"
	"fmt"
	"slices"
)

// Breakdown columns are chosen, not implied: a campaign's report breaks
// down by the department and by the roster columns named when it was
// created (survey.breakdowns or campaign create --breakdown). Other columns
// still choose the audience (--where). Columns that identify a person, and
// columns whose values are mostly unique (an employee number, a start
// date), cannot be breakdowns: their groups would be groups of one.

// A ColumnProfile describes how the values of a roster column spread over
// a set of people: the active staff, or a campaign's invitees.
type ColumnProfile struct {
	Column string
	People int // people who have the column
	Values int // distinct values among them
	Unique int // people whose value no one else has
}

// MostlyUnique reports whether more than half the people have a value of
// their own. Such a column makes groups of one, which the anonymity rules
// pool away, so it cannot be a breakdown.
func (p ColumnProfile) MostlyUnique() bool { return 2*p.Unique > p.People }

// Describe says in a few words how the column's values spread, for HR:
// "3 values", "every value unique", "30 of 40 values unique".
func (p ColumnProfile) Describe() string {
	switch {
	case p.People > 1 && p.Unique == p.People:
		return "every value unique"
	case p.MostlyUnique():
		return fmt.Sprintf("%d of %d values unique", p.Unique, p.People)
	case p.Values == 1:
		return "1 value"
	}
	return fmt.Sprintf("%d values", p.Values)
}

// notBreakdowns are the columns that name a person.
var notBreakdowns = []string{ColumnEmail, ColumnName, ColumnFirstName}

// NormalizeBreakdowns turns breakdown columns as a user wrote them into
// column names (NormalizeColumn), without the department (always a
// breakdown) and without repeats. A column that names a person (email,
// name, first_name) gives an *InputError.
func NormalizeBreakdowns(columns []string) ([]string, error) {
	problems := &InputError{Source: "breakdowns"}
	out := []string{}
	for _, c := range columns {
		col := NormalizeColumn(c)
		switch {
		case col == "" || col == ColumnDepartment || slices.Contains(out, col):
		case slices.Contains(notBreakdowns, col):
			problems.Add(0, col, "names a person, and every value is unique: it cannot be a breakdown")
		default:
			out = append(out, col)
		}
	}
	return out, problems.Err()
}

// Groups returns the person's breakdown groups for a campaign that breaks
// down by the department and the given columns (normalised, see
// NormalizeBreakdowns): column to value. A column the person does not have
// is left out.
func (m *StaffMember) Groups(breakdowns []string) map[string]string {
	g := make(map[string]string, len(breakdowns)+1)
	g[ColumnDepartment] = m.Department
	for _, col := range breakdowns {
		if v, ok := m.Column(col); ok {
			g[col] = v
		}
	}
	return g
}

// groupCount counts the invitees of each breakdown group of a campaign
// being created, and checks its breakdown columns against them.
type groupCount struct {
	breakdowns []string
	invited    map[GroupKey]int
	columns    knownColumns // every roster column an invitee has
	people     int
}

func newGroupCount(breakdowns []string) *groupCount {
	return &groupCount{breakdowns: breakdowns, invited: map[GroupKey]int{}, columns: knownColumns{}}
}

// add counts m in their groups and returns them, as the recipient keeps
// them.
func (gc *groupCount) add(m *StaffMember) map[string]string {
	gc.people++
	gc.columns.see(m)
	groups := m.Groups(gc.breakdowns)
	for col, v := range groups {
		gc.invited[GroupKey{Column: col, Value: v}]++
	}
	return groups
}

// check returns ErrUnknownColumn for a breakdown column no invitee has,
// and an *InputError naming every breakdown column whose values are
// mostly unique among the invitees.
func (gc *groupCount) check() error {
	profiles := map[string]*ColumnProfile{}
	for k, n := range gc.invited {
		p := profiles[k.Column]
		if p == nil {
			p = &ColumnProfile{Column: k.Column}
			profiles[k.Column] = p
		}
		p.People += n
		p.Values++
		if n == 1 {
			p.Unique++
		}
	}
	problems := &InputError{Source: "breakdowns"}
	for _, col := range gc.breakdowns {
		p, ok := profiles[col]
		if !ok {
			return gc.columns.unknown(col)
		}
		if p.MostlyUnique() {
			problems.Add(0, col, "%s among the %d people invited: its groups would be groups of one, which cannot be shown without naming them; "+
				"use it with --where, or break down by a column that groups people", p.Describe(), gc.people)
		}
	}
	return problems.Err()
}

// FindColumnProfiles describes the columns the active staff have besides
// email, name and department, by name, to show which can be breakdowns.
func (s *Store) FindColumnProfiles(ctx context.Context) ([]ColumnProfile, error) {
	// One row per column and value: the store's sorter does the grouping,
	// so memory does not grow with the staff.
	rows, err := s.db.QueryContext(ctx, `SELECT j.key, count(*) FROM staff, json_each(staff.attributes) AS j
		WHERE staff.active = 1 GROUP BY j.key, j.value ORDER BY j.key`)
	if err != nil {
		return nil, fmt.Errorf("find column profiles: %w", err)
	}
	defer rows.Close()
	var out []ColumnProfile
	for rows.Next() {
		var col string
		var n int
		if err := rows.Scan(&col, &n); err != nil {
			return nil, fmt.Errorf("find column profiles: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Column != col {
			out = append(out, ColumnProfile{Column: col})
		}
		p := &out[len(out)-1]
		p.People += n
		p.Values++
		if n == 1 {
			p.Unique++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find column profiles: %w", err)
	}
	return out, nil
}
