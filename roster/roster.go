// Package roster reads an HR roster export, a .csv file or the first sheet
// of an .xlsx workbook, into staff members ready for
// campaign.Store.ImportStaff.
//
// Reading is all-or-nothing: a roster with any problem gives no staff and a
// *campaign.InputError that lists every problem with the line it is on (the
// physical line where the record starts in a CSV file, the row number in a
// workbook; the header is normally line 1).
//
// # Columns
//
// Header names are trimmed, folded to lower case and have inner spaces
// replaced by underscores (campaign.NormalizeColumn: "First Name" becomes
// "first_name"). Three columns are required:
//
//   - email, also accepted as "E-mail", "Email address", "E-mail address" or "Mail";
//   - name, or else both first_name and last_name, joined with a space;
//   - department, also accepted as "Dept".
//
// first_name and last_name are never kept as attributes, even when a name
// column is present. Every other column (location, team, …) is kept in
// StaffMember.Attributes under its normalised name, for every person, with
// an empty cell kept as "" so that all people have the same columns.
// A column with no header name is ignored as long as it holds nothing.
// Two columns with the same normalised name (synonyms included) are an
// error.
//
// # Values
//
// Every cell is trimmed. Emails are folded to lower case
// (campaign.NormalizeEmail) and must be valid and unique; a repeated email
// is reported on the later line with the line it first appeared on. Name and
// department must not be empty. No cell, header included, may hold a
// control character (C0, DEL or C1: an escape sequence, a line break inside
// quotes, NUL, a tab inside quotes); the problem names the character's
// code, never the character. Rows whose cells are all empty are skipped;
// the header is the first row that is not. A roster with a header and nobody
// below it is an error.
//
// # CSV
//
// CSV files must be UTF-8; a leading byte order mark is dropped, and lines
// may end in CRLF or LF. The separator is whichever of comma, semicolon and
// tab splits the header line into the most fields, separators inside double
// quotes not counting (on a tie comma wins, then semicolon). Fields follow
// RFC 4180: a field holding the separator, a double quote or a line break
// must be quoted, with quotes inside it doubled; with a comma or semicolon
// separator, spaces before the opening quote are allowed. Every row that is
// not blank must have as many fields as the header.
package roster

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// Read reads the roster at path, choosing the format by extension, in any
// case: .csv (see ReadCSV) or .xlsx (see ReadXLSX). The errors name path as
// the source. Any other extension gives a *campaign.InputError naming it; a
// file that cannot be opened gives the *fs.PathError from os.Open, wrapped.
func Read(path string) ([]campaign.StaffMember, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".xlsx" {
		msg := "the file has no extension"
		if ext != "" {
			msg = "unsupported file type " + strconv.Quote(filepath.Ext(path))
		}
		problems := &campaign.InputError{Source: path}
		problems.Add(0, "", "%s: save the roster as .csv (UTF-8) or .xlsx", msg)
		return nil, problems
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	defer f.Close() // read-only: closing cannot lose data
	if ext == ".xlsx" {
		return ReadXLSX(f, path)
	}
	return ReadCSV(f, path)
}

// A row is one record of the roster, before its cells are interpreted.
type row struct {
	line  int      // where the record starts: 1-based line or worksheet row
	cells []string // as read, untrimmed
}

// cell returns the trimmed cell at index i, or "" when the row is too short
// or the column absent (i < 0).
func (r row) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// blank reports whether every cell of r is empty or white space.
func (r row) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// first_name and last_name may stand for name.
const (
	columnFirstName = "first_name"
	columnLastName  = "last_name"
)

// canonical returns the column that the normalised header h stands for: the
// few synonyms below, or h itself.
func canonical(h string) string {
	switch h {
	case "e-mail", "email_address", "e-mail_address", "mail":
		return campaign.ColumnEmail
	case "dept":
		return campaign.ColumnDepartment
	}
	return h
}

// An attribute is a roster column kept in StaffMember.Attributes.
type attribute struct {
	index int
	name  string
}

// A layout says which column holds what, as read from the header.
type layout struct {
	email, name, department, firstName, lastName int // -1 when absent
	attributes                                   []attribute
	unnamed                                      map[int]bool // columns with an empty header
	width                                        int          // number of header cells
}

// parseHeader reads the header row into a layout, or reports why it cannot.
func parseHeader(header row, problems *campaign.InputError) (layout, bool) {
	l := layout{email: -1, name: -1, department: -1, firstName: -1, lastName: -1,
		unnamed: map[int]bool{}, width: len(header.cells)}
	seen := map[string]int{} // column name to its index
	var found []string
	ok := true
	for i, raw := range header.cells {
		h := strings.TrimSpace(raw)
		if msg := campaign.ControlProblem(h); msg != "" {
			problems.Add(header.line, fmt.Sprintf("column %d", i+1), "%s", msg)
			ok = false
			continue
		}
		name := canonical(campaign.NormalizeColumn(h))
		if name == "" {
			l.unnamed[i] = true
			continue
		}
		found = append(found, strconv.Quote(h))
		if j, dup := seen[name]; dup {
			problems.Add(header.line, name, "duplicate column: %q (column %d) and %q (column %d)",
				strings.TrimSpace(header.cells[j]), j+1, h, i+1)
			ok = false
			continue
		}
		seen[name] = i
		switch name {
		case campaign.ColumnEmail:
			l.email = i
		case campaign.ColumnName:
			l.name = i
		case campaign.ColumnDepartment:
			l.department = i
		case columnFirstName:
			l.firstName = i
		case columnLastName:
			l.lastName = i
		default:
			l.attributes = append(l.attributes, attribute{index: i, name: name})
		}
	}
	var missing []string
	if l.email < 0 {
		missing = append(missing, campaign.ColumnEmail)
	}
	if l.name < 0 && (l.firstName < 0 || l.lastName < 0) {
		missing = append(missing, campaign.ColumnName+" (or "+columnFirstName+" and "+columnLastName+")")
	}
	if l.department < 0 {
		missing = append(missing, campaign.ColumnDepartment)
	}
	if len(missing) > 0 {
		what := "column " + missing[0]
		if len(missing) > 1 {
			what = "columns " + strings.Join(missing, ", ")
		}
		columns := "none"
		if len(found) > 0 {
			columns = strings.Join(found, ", ")
		}
		problems.Add(header.line, "", "missing %s; the header has: %s", what, columns)
		ok = false
	}
	return l, ok
}

// member reads one data row according to l.
func (l *layout) member(r row) campaign.StaffMember {
	m := campaign.StaffMember{
		Email:      campaign.NormalizeEmail(r.cell(l.email)),
		Name:       r.cell(l.name),
		Department: r.cell(l.department),
		Attributes: make(map[string]string, len(l.attributes)),
		Active:     true,
	}
	if l.name < 0 {
		m.Name = strings.TrimSpace(r.cell(l.firstName) + " " + r.cell(l.lastName))
	}
	for _, a := range l.attributes {
		m.Attributes[a.name] = r.cell(a.index)
	}
	return m
}

// build turns rows into staff, adding every problem it finds to problems,
// which may already hold some. With strictWidth every data row must have as
// many cells as the header (CSV); without it a short row is padded with
// empty cells (a worksheet omits trailing empty cells). sep is the CSV
// separator, for advice on a wrong field count.
//
// It returns the staff, or nil and problems sorted by line when there is
// any problem.
func build(rows []row, strictWidth bool, sep rune, problems *campaign.InputError) ([]campaign.StaffMember, error) {
	rows = slices.DeleteFunc(rows, row.blank)
	if len(rows) == 0 {
		if len(problems.Problems) == 0 {
			problems.Add(0, "", "the roster is empty: no header line")
		}
		return nil, problems
	}
	l, ok := parseHeader(rows[0], problems)
	if !ok {
		return nil, sorted(problems)
	}
	var staff []campaign.StaffMember
	seen := map[string]int{} // email to the line it is on
	for _, r := range rows[1:] {
		if strictWidth && len(r.cells) != l.width {
			problems.Add(r.line, "", "%d fields, but the header has %d (a value with %s in it must be in double quotes)",
				len(r.cells), l.width, separatorName(sep))
			continue
		}
		for i, c := range r.cells {
			if (i >= l.width || l.unnamed[i]) && strings.TrimSpace(c) != "" {
				problems.Add(r.line, "", "column %d has a value (%q) but no header", i+1, strings.TrimSpace(c))
			}
		}
		m := l.member(r)
		for _, p := range m.Problems() {
			problems.Add(r.line, p.Field, "%s", p.Message)
		}
		if campaign.ValidateEmail(m.Email) == nil {
			if first, dup := seen[m.Email]; dup {
				problems.Add(r.line, campaign.ColumnEmail, "%s already on line %d", m.Email, first)
			} else {
				seen[m.Email] = r.line
			}
		}
		staff = append(staff, m)
	}
	if len(problems.Problems) > 0 {
		return nil, sorted(problems)
	}
	if len(staff) == 0 {
		problems.Add(0, "", "no people: the roster has a header but no rows below it")
		return nil, problems
	}
	return staff, nil
}

// sorted orders the problems by line, keeping the order of those on one
// line, and returns them.
func sorted(problems *campaign.InputError) *campaign.InputError {
	slices.SortStableFunc(problems.Problems, func(a, b campaign.Problem) int { return cmp.Compare(a.Line, b.Line) })
	return problems
}
