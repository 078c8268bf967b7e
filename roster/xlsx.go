package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads the roster on the first sheet of the .xlsx workbook in r;
// source names the input in errors, e.g. the file name. Cells are read as
// Excel displays them, and line numbers are row numbers. Input that is not a
// readable workbook, and any problem with the roster's content, gives nil
// and a *campaign.InputError listing every problem by row. An error reading
// r is returned wrapped.
func ReadXLSX(r io.Reader, source string) ([]campaign.StaffMember, error) {
	staff, _, err := readXLSX(r, source)
	return staff, err
}

// readXLSX is ReadXLSX, with the row each person is on.
func readXLSX(r io.Reader, source string) ([]campaign.StaffMember, []int, error) {
	// Read first so that an I/O error is not mistaken for a bad workbook.
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", source, err)
	}
	problems := &campaign.InputError{Source: source}
	rows, err := sheetRows(data)
	if err != nil {
		problems.Add(0, "", "%v", err)
		return nil, nil, problems
	}
	return build(rows, false, 0, problems)
}

// sheetRows returns the rows of the first sheet of the workbook in data,
// numbered as in Excel.
func sheetRows(data []byte) ([]row, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	// Close removes any temporary files excelize made; the rows are read by then.
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("the workbook has no sheets")
	}
	cells, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("read sheet %q: %w", sheets[0], err)
	}
	// GetRows keeps empty rows in place, so index i is row i+1.
	rows := make([]row, len(cells))
	for i, c := range cells {
		rows[i] = row{line: i + 1, cells: c}
	}
	return rows, nil
}
