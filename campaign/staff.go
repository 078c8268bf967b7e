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
	where := "1 = 1"
	if filter.ActiveOnly {
		where = "active = 1"
	}
	rows, err := q.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where+` ORDER BY department, name, email`)
	if err != nil {
		return nil, fmt.Errorf("find staff: %w", err)
	}
	defer rows.Close()
	var staff []StaffMember
	cols := knownColumns{}
	for rows.Next() {
		m, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("find staff: %w", err)
		}
		cols.see(&m)
		if matches(&m, filter.Where) {
			staff = append(staff, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find staff: %w", err)
	}
	return staff, cols.check(filter.Where)
}

// staffPage is how many people eachStaff reads at a time.
const staffPage = 500

// eachStaff calls fn for every active person who matches where and, when
// notInCampaign is set, is not yet a recipient of that campaign. It reads
// the staff a page at a time in id order, so memory stays flat whatever
// the size of the roster. A condition on a column none of them has gives
// ErrUnknownColumn.
func eachStaff(ctx context.Context, q queryer, where []Condition, notInCampaign int64, fn func(*StaffMember) error) error {
	cols := knownColumns{}
	for after := int64(0); ; {
		rows, err := q.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff
			WHERE active = 1 AND id > ? AND id NOT IN (SELECT staff_id FROM recipients WHERE campaign_id = ?)
			ORDER BY id LIMIT ?`, after, notInCampaign, staffPage)
		if err != nil {
			return fmt.Errorf("find staff: %w", err)
		}
		var page []StaffMember
		for rows.Next() {
			m, err := scanStaff(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("find staff: %w", err)
			}
			page = append(page, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find staff: %w", err)
		}
		for i := range page {
			cols.see(&page[i])
			if matches(&page[i], where) {
				if err := fn(&page[i]); err != nil {
					return err
				}
			}
		}
		if len(page) < staffPage {
			return cols.check(where)
		}
		after = page[len(page)-1].ID
	}
}

const staffColumns = `id, email, name, first_name, department, attributes, active`

func scanStaff(rows *sql.Rows) (StaffMember, error) {
	var m StaffMember
	var attrs string
	if err := rows.Scan(&m.ID, &m.Email, &m.Name, &m.FirstName, &m.Department, &attrs, &m.Active); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(attrs), &m.Attributes); err != nil {
		return m, fmt.Errorf("attributes of %s: %w", m.Email, err)
	}
	return m, nil
}

// knownColumns collects the roster columns people have, to name an unknown
// one in a condition.
type knownColumns map[string]bool

func (k knownColumns) see(m *StaffMember) {
	for col := range m.Attributes {
		k[col] = true
	}
}

// check returns ErrUnknownColumn for a condition on a column no one has.
func (k knownColumns) check(conds []Condition) error {
	for _, col := range []string{ColumnEmail, ColumnName, ColumnDepartment} {
		k[col] = true
	}
	for _, c := range conds {
		if !k[c.Column] {
			return k.unknown(c.Column)
		}
	}
	return nil
}

// unknown is the ErrUnknownColumn for col, naming the columns known.
func (k knownColumns) unknown(col string) error {
	return fmt.Errorf("%w %q (known: %s)", ErrUnknownColumn, col, strings.Join(slices.Sorted(maps.Keys(k)), ", "))
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// FindStaffNames returns the name of everyone on the roster, active or
// not, without the rest of their row: what a report needs to take names out
// of comments, at a fraction of the memory of FindStaff.
func (s *Store) FindStaffNames(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM staff ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find staff names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("find staff names: %w", err)
		}
		out = append(out, name)
	}
	return out, rows.Err()
}
