package roster

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/xuri/excelize/v2"
)

// Bounds on a workbook roster, so that a small file cannot make the reader
// allocate for millions of empty cells: 3,000 rows that each have one cell
// in column XFD would otherwise be 49 million cells.
const (
	// MaxColumns is the widest row a workbook roster may have: columns A
	// to IV.
	MaxColumns = 256
	// MaxCells is the most cells read from a workbook roster, counting the
	// empty cells before the last one of each row: 200,000 people with
	// 50 columns.
	MaxCells = 10_000_000
)

// Unzipped parts of a workbook larger than xlsxInMemory are read from
// temporary files rather than memory; the whole workbook may unzip to at
// most xlsxUnzipLimit.
const (
	xlsxInMemory   = 1 << 20
	xlsxUnzipLimit = 2 << 30
)

// openXLSX opens the roster on the first sheet of the .xlsx workbook at
// path. Cells are read as Excel displays them, and line numbers are row
// numbers. A file that is not a readable workbook gives a
// *campaign.InputError.
func openXLSX(path string) (*Reader, error) {
	f, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: xlsxInMemory, UnzipSizeLimit: xlsxUnzipLimit})
	if _, ok := errors.AsType[*fs.PathError](err); ok {
		return nil, fmt.Errorf("read roster: %w", err)
	}
	if err != nil {
		return nil, fatal(path, 0, "not a readable .xlsx workbook: %v", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fatal(path, 0, "the workbook has no sheets")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fatal(path, 0, "read sheet %q: %v", sheets[0], err)
	}
	line, cells := 0, 0
	next := func() (row, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return row{}, fatal(path, line+1, "read sheet %q: %v", sheets[0], err)
			}
			return row{}, io.EOF
		}
		line++ // Next visits every row number, empty rows included
		cols, err := rows.Columns()
		if err != nil {
			return row{}, fatal(path, line, "read sheet %q: %v", sheets[0], err)
		}
		if len(cols) > MaxColumns {
			name, _ := excelize.ColumnNumberToName(len(cols))
			last, _ := excelize.ColumnNumberToName(MaxColumns)
			return row{}, fatal(path, line, "a cell in column %s (column %d): a roster may use columns A to %s (%d); delete the cells beyond them",
				name, len(cols), last, MaxColumns)
		}
		if cells += len(cols); cells > MaxCells {
			return row{}, fatal(path, line, "more than %d cells: a roster is read up to %d; delete the rows and columns that are not people", MaxCells, MaxCells)
		}
		return row{line: line, cells: cols}, nil
	}
	closeAll := func() error {
		// Close removes the temporary files excelize made; nothing is written.
		rows.Close()
		return f.Close()
	}
	return &Reader{source: path, next: next, close: closeAll}, nil
}
