package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// ReadCSV reads a CSV roster from r (see the package documentation for the
// format); source names the input in errors, e.g. the file name. Any problem
// with the roster's content, including text that is not UTF-8 and a
// malformed quoted field, gives nil and a *campaign.InputError listing every
// problem by line; after a malformed quoted field the rest of the input is
// not read. An error reading r is returned wrapped.
func ReadCSV(r io.Reader, source string) ([]campaign.StaffMember, error) {
	staff, _, err := readCSV(r, source)
	return staff, err
}

// readCSV is ReadCSV, with the line each person starts on.
func readCSV(r io.Reader, source string) ([]campaign.StaffMember, []int, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", source, err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	problems := &campaign.InputError{Source: source}
	if !utf8.Valid(data) {
		problems.Add(firstInvalidLine(data), "", "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
		return nil, nil, problems
	}

	sep := separator(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sep
	cr.FieldsPerRecord = -1 // build reports wrong field counts, all of them
	// Spaces before a quoted field are common in hand-made files; with a tab
	// separator trimming would swallow empty fields.
	cr.TrimLeadingSpace = sep != '\t'
	var rows []row
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			problems.Add(pe.StartLine, "", "%v at line %d, column %d; put a value holding a double quote, %s or a line break in double quotes, and double each quote inside it; nothing after this was read",
				pe.Err, pe.Line, pe.Column, separatorName(sep))
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, row{line: line, cells: cells})
	}
	return build(rows, true, sep, problems)
}

// separator returns whichever of comma, semicolon and tab occurs most often
// outside double quotes in the header line of data; comma when none does or
// on a tie. The header is the first line with something other than white
// space and separators in it, as build skips blank rows; it ends at the
// first line break outside quotes.
func separator(data []byte) rune {
	var commas, semicolons, tabs int
	inQuotes, content := false, false
scan:
	for _, c := range data {
		switch {
		case c == '"':
			inQuotes = !inQuotes // a doubled quote toggles twice
			content = true
		case inQuotes:
		case c == '\n':
			if content {
				break scan
			}
			commas, semicolons, tabs = 0, 0, 0
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		case c == '\t':
			tabs++
		case c == ' ' || c == '\r':
		default:
			content = true
		}
	}
	switch {
	case semicolons > commas && semicolons >= tabs:
		return ';'
	case tabs > commas && tabs > semicolons:
		return '\t'
	}
	return ','
}

// separatorName names sep for a message: a tab, or the character quoted.
func separatorName(sep rune) string {
	if sep == '\t' {
		return "a tab"
	}
	return strconv.Quote(string(sep))
}

// firstInvalidLine returns the 1-based line of the first byte of data that
// is not part of valid UTF-8.
func firstInvalidLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}
