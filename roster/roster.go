// Package roster reads an HR roster export, a .csv file or the first sheet
// of an .xlsx workbook, one row at a time, for campaign.Store.ImportRoster.
// Memory does not grow with the number of people: rows are read as a
// stream, and the store checks and writes them as they come.
//
// Importing is all-or-nothing: a roster with any problem imports nobody,
// and the *campaign.InputError lists the problems with the line each is on
// (the physical line where the record starts in a CSV file, the row number
// in a workbook; the header is normally line 1). Problems with a row are
// reported with the row; a problem that stops the reading (a header without
// the required columns, a malformed quoted field, text that is not UTF-8, a
// cell beyond column IV) ends the rows with an error.
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
// An optional language column holds each person's language, a BCP 47 tag
// such as "de" or "fr-CA" (campaign.ColumnLanguage); like the columns
// below it is kept as an attribute, as written, and a tag no campaign
// language matches is not an error: that person gets the default language.
//
// first_name is kept as StaffMember.FirstName, for greetings, even when a
// name column is present; first_name and last_name are never kept as
// attributes. A roster without first_name whose names have a comma ("Müller,
// Jürgen") is imported with a warning (Reader.Warnings). Every other column (location, team, …) is kept in
// StaffMember.Attributes under its normalised name, for every person, with
// an empty cell kept as "" so that all people have the same columns.
// A column with no header name is ignored as long as it holds nothing.
// A workbook may use columns A to IV (256) and at most MaxCells cells.
// Two columns with the same normalised name (synonyms included) are an
// error.
//
// # Values
//
// Every cell is trimmed. Emails are folded to lower case
// (campaign.NormalizeEmail); the store checks that they are valid and
// unique, reporting a repeated email on the later line with the line it
// first appeared on. Name and department must not be empty. No cell,
// header included, may hold a control character (C0, DEL or C1: an escape
// sequence, a line break inside quotes, NUL, a tab inside quotes); the
// problem names the character's code, never the character. Rows whose cells are all empty are skipped;
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
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// A Reader reads one roster, row by row. Make it with Open or NewCSVReader,
// range over Rows once, then Close it.
type Reader struct {
	source      string
	next        func() (row, error) // the next record; io.EOF after the last
	close       func() error
	strictWidth bool // every row must have as many cells as the header (CSV)
	sep         rune // the CSV separator, for advice on a wrong field count

	// Names with a comma on a roster without first names, such as
	// "Müller, Jürgen": how many, the first few lines and the first name.
	commaNames int
	commaLines []int
	commaName  string
}

// commaLinesShown is how many lines a warning about names lists.
const commaLinesShown = 5

// Open opens the roster at path, choosing the format by extension, in any
// case: .csv or .xlsx (its first sheet). The errors name path as the
// source. Any other extension, and a file that is not a readable workbook,
// gives a *campaign.InputError; a file that cannot be opened gives the
// *fs.PathError from os.Open, wrapped.
func Open(path string) (*Reader, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv":
		return openCSV(path)
	case ".xlsx":
		return openXLSX(path)
	}
	msg := "the file has no extension"
	if ext != "" {
		msg = "unsupported file type " + strconv.Quote(filepath.Ext(path))
	}
	problems := &campaign.InputError{Source: path}
	problems.Add(0, "", "%s: save the roster as .csv (UTF-8) or .xlsx", msg)
	return nil, problems
}

// Close releases the file and any temporary files the reader made.
func (r *Reader) Close() error {
	if r.close == nil {
		return nil
	}
	return r.close()
}

// Source names the roster in errors, e.g. its file name.
func (r *Reader) Source() string { return r.source }

// Rows returns the rows of people below the header, in order, for
// campaign.Store.ImportRoster. A row the reader could not make a person of
// (a wrong number of fields) has a nil Member and its problems; any other
// row has its person, and the problems the reader found with it (a value
// without a header). Blank rows are skipped. A problem that stops the
// reading ends the sequence with a *campaign.InputError (the header, a
// malformed quoted field, text that is not UTF-8, too many cells, no people
// at all); an error reading the file ends it wrapped.
func (r *Reader) Rows() iter.Seq2[campaign.RosterRow, error] {
	return func(yield func(campaign.RosterRow, error) bool) {
		problems := &campaign.InputError{Source: r.source}
		header, err := r.nextFilled()
		if errors.Is(err, io.EOF) {
			problems.Add(0, "", "the roster is empty: no header line")
			yield(campaign.RosterRow{}, problems)
			return
		}
		if err != nil {
			yield(campaign.RosterRow{}, err)
			return
		}
		l, ok := parseHeader(header, problems)
		if !ok {
			yield(campaign.RosterRow{}, problems)
			return
		}
		people := 0
		for {
			rec, err := r.nextFilled()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				yield(campaign.RosterRow{}, err)
				return
			}
			people++
			row := l.row(rec, r.strictWidth, r.sep)
			if row.Member != nil && l.firstName < 0 && strings.Contains(row.Member.Name, ",") {
				r.noteCommaName(row.Line, row.Member.Name)
			}
			if !yield(row, nil) {
				return
			}
		}
		if people == 0 {
			problems.Add(0, "", "no people: the roster has a header but no rows below it")
			yield(campaign.RosterRow{}, problems)
		}
	}
}

// noteCommaName counts a name with a comma, on a roster that gives no
// first names.
func (r *Reader) noteCommaName(line int, name string) {
	r.commaNames++
	if len(r.commaLines) < commaLinesShown {
		r.commaLines = append(r.commaLines, line)
	}
	if r.commaName == "" {
		r.commaName = name
	}
}

// Warnings says, once the rows have been read, what in the roster was
// accepted but may not be what HR meant: names written "Last, First" on a
// roster without a first_name column, which the emails would use as they
// are ("Hello Müller, Jürgen,").
func (r *Reader) Warnings() []string {
	if r.commaNames == 0 {
		return nil
	}
	lines := make([]string, len(r.commaLines))
	for i, l := range r.commaLines {
		lines[i] = strconv.Itoa(l)
	}
	where := "line " + lines[0]
	if r.commaNames > 1 {
		where = "lines " + strings.Join(lines, ", ")
		if r.commaNames > len(lines) {
			where += ", …"
		}
	}
	what := fmt.Sprintf("%d names have a comma", r.commaNames)
	if r.commaNames == 1 {
		what = "1 name has a comma"
	}
	return []string{fmt.Sprintf("%s (%s), such as %q: the emails greet people by the name as written (\"Hello %s,\"). "+
		"To greet them by their first name, add a first_name column (or first_name and last_name).",
		what, where, r.commaName, r.commaName)}
}

// nextFilled returns the next record that is not blank.
func (r *Reader) nextFilled() (row, error) {
	for {
		rec, err := r.next()
		if err != nil || !rec.blank() {
			return rec, err
		}
	}
}

// fatal is the error that stops reading source at line.
func fatal(source string, line int, format string, args ...any) error {
	problems := &campaign.InputError{Source: source}
	problems.Add(line, "", format, args...)
	return problems
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

// last_name, with first_name, may stand for name.
const columnLastName = "last_name"

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
		case campaign.ColumnFirstName:
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
		missing = append(missing, campaign.ColumnName+" (or "+campaign.ColumnFirstName+" and "+columnLastName+")")
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

// row reads one data record according to l: its person, or only its
// problems when the record has the wrong number of fields. With
// strictWidth every record must have as many cells as the header (CSV);
// without it a short one is padded with empty cells (a worksheet omits
// trailing empty cells). sep is the CSV separator, for advice on a wrong
// field count.
func (l *layout) row(r row, strictWidth bool, sep rune) campaign.RosterRow {
	out := campaign.RosterRow{Line: r.line}
	problem := func(format string, args ...any) {
		out.Problems = append(out.Problems, campaign.Problem{Line: r.line, Message: fmt.Sprintf(format, args...)})
	}
	if strictWidth && len(r.cells) != l.width {
		problem("%d fields, but the header has %d (a value with %s in it must be in double quotes)",
			len(r.cells), l.width, separatorName(sep))
		return out
	}
	for i, c := range r.cells {
		if (i >= l.width || l.unnamed[i]) && strings.TrimSpace(c) != "" {
			problem("column %d has a value (%q) but no header", i+1, strings.TrimSpace(c))
		}
	}
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
	m.FirstName = r.cell(l.firstName)
	for _, a := range l.attributes {
		m.Attributes[a.name] = r.cell(a.index)
	}
	out.Member = &m
	return out
}
