package campaign

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"unicode"
)

// Roster columns every staff member has. Any other roster column is kept in
// StaffMember.Attributes under its normalised header name.
const (
	ColumnEmail      = "email"
	ColumnName       = "name"
	ColumnDepartment = "department"
	// ColumnFirstName is optional: the roster's first names, for greetings.
	ColumnFirstName = "first_name"
)

// A StaffMember is one person on the roster.
type StaffMember struct {
	ID         int64
	Email      string            // normalised: trimmed, lower case
	Name       string            // as HR wrote it
	FirstName  string            // the roster's first_name, for greetings; empty when it has none
	Department string            // a breakdown column like the attributes
	Attributes map[string]string // the roster's other columns, by normalised header
	Active     bool              // false once deactivated by a re-import
}

// Column returns the value of a roster column: email, name, department or an
// attribute. ok is false when the person has no such column.
func (m *StaffMember) Column(name string) (value string, ok bool) {
	switch name {
	case ColumnEmail:
		return m.Email, true
	case ColumnName:
		return m.Name, true
	case ColumnDepartment:
		return m.Department, true
	}
	value, ok = m.Attributes[name]
	return value, ok
}

// Validate reports every problem with the person's fields as an *InputError
// whose problems name the field.
func (m *StaffMember) Validate() error {
	problems := &InputError{Source: "staff member " + m.Email, Problems: m.Problems()}
	return problems.Err()
}

// Problems lists what is wrong with m's fields, without line numbers: the
// roster reader adds them.
func (m *StaffMember) Problems() []Problem {
	var ps []Problem
	if m.Email == "" {
		ps = append(ps, Problem{Field: ColumnEmail, Message: "missing"})
	} else if err := ValidateEmail(m.Email); err != nil {
		ps = append(ps, Problem{Field: ColumnEmail, Message: err.Error()})
	}
	if strings.TrimSpace(m.Name) == "" {
		ps = append(ps, Problem{Field: ColumnName, Message: "missing"})
	}
	if strings.TrimSpace(m.Department) == "" {
		ps = append(ps, Problem{Field: ColumnDepartment, Message: "missing"})
	}
	fields := []struct{ name, value string }{
		{ColumnEmail, m.Email}, {ColumnName, m.Name}, {ColumnFirstName, m.FirstName}, {ColumnDepartment, m.Department},
	}
	for _, k := range slices.Sorted(maps.Keys(m.Attributes)) {
		fields = append(fields, struct{ name, value string }{k, m.Attributes[k]})
	}
	for _, f := range fields {
		if msg := ControlProblem(f.value); msg != "" {
			ps = append(ps, Problem{Field: f.name, Message: msg})
		}
	}
	return ps
}

// ControlProblem describes the first control character in s (C0, DEL or
// C1, tab and line breaks included), or returns "" when there is none.
// Such characters have no place in a name or a column: an escape sequence
// would colour or move the terminal of whoever lists the staff, and a line
// break would split their table. The message names the character by its
// code, never by the character itself.
func ControlProblem(s string) string {
	n := 0
	for _, r := range s {
		n++
		if unicode.IsControl(r) {
			return fmt.Sprintf("contains the control character U+%04X at character %d; remove it (a tab may only separate columns)", r, n)
		}
	}
	return ""
}

// NormalizeEmail trims an address and folds it to lower case, the form in
// which addresses are stored and compared.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// ValidateEmail reports whether s is a bare address (no display name) that
// net/mail accepts and that has a dot in its domain.
func ValidateEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return &emailError{s}
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return &emailError{s}
	}
	return nil
}

type emailError struct{ addr string }

func (e *emailError) Error() string { return "\"" + e.addr + "\" is not a valid email address" }

// StaffFilter selects staff in FindStaff. The zero value selects everyone.
type StaffFilter struct {
	ActiveOnly bool
	Where      []Condition
}

// A Condition selects people whose roster Column equals Value, ignoring case.
// Conditions on the same column are alternatives; conditions on different
// columns must all hold.
type Condition struct {
	Column string
	Value  string
}

// ParseCondition parses "COLUMN=VALUE" as given to --where.
func ParseCondition(s string) (Condition, error) {
	col, val, ok := strings.Cut(s, "=")
	col = NormalizeColumn(col)
	if !ok || col == "" {
		return Condition{}, &InputError{Source: "--where", Problems: []Problem{{Message: "\"" + s + "\" is not of the form COLUMN=VALUE"}}}
	}
	return Condition{Column: col, Value: strings.TrimSpace(val)}, nil
}

// NormalizeColumn turns a roster header into the column name used everywhere
// else: trimmed, lower case, inner spaces as underscores ("First Name" →
// "first_name").
func NormalizeColumn(h string) string {
	return strings.Join(strings.Fields(strings.ToLower(h)), "_")
}

// matches reports whether m satisfies every column of conds.
func matches(m *StaffMember, conds []Condition) bool {
	byColumn := map[string][]string{}
	for _, c := range conds {
		byColumn[c.Column] = append(byColumn[c.Column], c.Value)
	}
	for col, values := range byColumn {
		v, ok := m.Column(col)
		if !ok {
			return false
		}
		found := false
		for _, want := range values {
			if strings.EqualFold(strings.TrimSpace(v), want) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// FindStaff returns the staff that match filter, by department and name.
// A condition on a column no one has gives ErrUnknownColumn.
func (s *Store) FindStaff(ctx context.Context, filter StaffFilter) ([]StaffMember, error) {
	return findStaff(ctx, s.db, filter)
}

// queryer is what *sql.DB and *sql.Tx share for reading.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func findStaff(ctx context.Context, q queryer, filter StaffFilter) ([]StaffMember, error) {
	where, args := []string{"1 = 1"}, []any{}
	if filter.ActiveOnly {
		where = append(where, "active = 1")
	}
	rows, err := q.QueryContext(ctx, `SELECT id, email, name, first_name, department, attributes, active
		FROM staff WHERE `+strings.Join(where, " AND ")+` ORDER BY department, name, email`, args...)
	if err != nil {
		return nil, fmt.Errorf("find staff: %w", err)
	}
	defer rows.Close()
	var staff []StaffMember
	columns := map[string]bool{ColumnEmail: true, ColumnName: true, ColumnDepartment: true}
	for rows.Next() {
		var m StaffMember
		var attrs string
		if err := rows.Scan(&m.ID, &m.Email, &m.Name, &m.FirstName, &m.Department, &attrs, &m.Active); err != nil {
			return nil, fmt.Errorf("find staff: %w", err)
		}
		if err := json.Unmarshal([]byte(attrs), &m.Attributes); err != nil {
			return nil, fmt.Errorf("find staff: attributes of %s: %w", m.Email, err)
		}
		for k := range m.Attributes {
			columns[k] = true
		}
		if matches(&m, filter.Where) {
			staff = append(staff, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find staff: %w", err)
	}
	for _, c := range filter.Where {
		if !columns[c.Column] {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownColumn, c.Column, strings.Join(slices.Sorted(maps.Keys(columns)), ", "))
		}
	}
	return staff, nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
