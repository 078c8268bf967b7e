package roster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// headerPeek is how much of a CSV file is looked at to choose the
// separator: the header line, unless it is longer.
const headerPeek = 64 << 10

// openCSV opens the CSV roster at path.
func openCSV(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	r := NewCSVReader(f, path)
	r.close = f.Close
	return r, nil
}

// NewCSVReader returns a reader of the CSV roster in r (see the package
// documentation for the format); source names the input in errors, e.g.
// the file name. Text that is not UTF-8 and a malformed quoted field stop
// the rows with a *campaign.InputError naming the line; nothing after them
// is read.
func NewCSVReader(r io.Reader, source string) *Reader {
	br := bufio.NewReaderSize(r, headerPeek)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		br.Discard(3)
	}
	head, _ := br.Peek(headerPeek) // a read error shows again below
	sep := separator(head)
	cr := csv.NewReader(br)
	cr.Comma = sep
	cr.FieldsPerRecord = -1 // the rows report wrong field counts, all of them
	cr.ReuseRecord = true
	// Spaces before a quoted field are common in hand-made files; with a tab
	// separator trimming would swallow empty fields.
	cr.TrimLeadingSpace = sep != '\t'
	next := func() (row, error) {
		cells, err := cr.Read()
		if err == io.EOF {
			return row{}, io.EOF
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			return row{}, fatal(source, pe.StartLine, "%v at line %d, column %d; put a value holding a double quote, %s or a line break in double quotes, and double each quote inside it; nothing after this was read",
				pe.Err, pe.Line, pe.Column, separatorName(sep))
		}
		if err != nil {
			return row{}, fmt.Errorf("read %s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		if bad, ok := invalidUTF8Line(cells); !ok {
			return row{}, fatal(source, line+bad, "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
		}
		return row{line: line, cells: cells}, nil
	}
	return &Reader{source: source, next: next, strictWidth: true, sep: sep}
}

// invalidUTF8Line reports whether the cells of a record are valid UTF-8
// and, when they are not, on which line of the record (0 for its first)
// the first invalid byte is.
func invalidUTF8Line(cells []string) (int, bool) {
	lines := 0
	for _, c := range cells {
		if utf8.ValidString(c) {
			lines += strings.Count(c, "\n")
			continue
		}
		for i, r := range c {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(c[i:]); size <= 1 {
					return lines, false
				}
			}
			if r == '\n' {
				lines++
			}
		}
	}
	return 0, true
}

// separator returns whichever of comma, semicolon and tab occurs most often
// outside double quotes in the header line of data; comma when none does or
// on a tie. The header is the first line with something other than white
// space and separators in it, as blank rows are skipped; it ends at the
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
