package roster_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/xuri/excelize/v2"
)

// writeFile writes data to a file called name in a fresh temporary
// directory and returns its path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeXLSX writes a workbook called name whose sheets hold the given rows,
// in order, and returns its path. A nil cell is left empty.
func writeXLSX(t *testing.T, name string, sheets ...[][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, rows := range sheets {
		sheet := "Sheet1"
		if i > 0 {
			sheet = fmt.Sprintf("Sheet%d", i+1)
			if _, err := f.NewSheet(sheet); err != nil {
				t.Fatal(err)
			}
		}
		for r, cells := range rows {
			for c, v := range cells {
				if v == nil {
					continue
				}
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellValue(sheet, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// problems checks that a read was refused as it should be, with no staff and
// a *campaign.InputError from source, and returns its problems as strings.
func problems(t *testing.T, staff []campaign.StaffMember, err error, source string) []string {
	t.Helper()
	if staff != nil {
		t.Errorf("got staff %+v, want nil", staff)
	}
	var ie *campaign.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v (%T), want a *campaign.InputError", err, err)
	}
	if ie.Source != source {
		t.Errorf("got source %q, want %q", ie.Source, source)
	}
	var ps []string
	for _, p := range ie.Problems {
		ps = append(ps, p.String())
	}
	return ps
}

func person(email, name, department string, attrs ...string) campaign.StaffMember {
	m := campaign.StaffMember{Email: email, Name: name, Department: department,
		Attributes: map[string]string{}, Active: true}
	for i := 0; i+1 < len(attrs); i += 2 {
		m.Attributes[attrs[i]] = attrs[i+1]
	}
	return m
}
