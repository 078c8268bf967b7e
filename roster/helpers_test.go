package roster_test

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/roster"
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

// importFile imports the roster at path into a fresh database, as 'lvm-mail
// staff import' does, and returns the people the database then holds, in
// the order of the roster and without their ids; or nil and the error.
func importFile(t *testing.T, path string) ([]campaign.StaffMember, error) {
	t.Helper()
	r, err := roster.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return importRows(t, r)
}

// importCSV imports CSV text from source as importFile does.
func importCSV(t *testing.T, source, text string) ([]campaign.StaffMember, error) {
	t.Helper()
	return importRows(t, roster.NewCSVReader(strings.NewReader(text), source))
}

func importRows(t *testing.T, r *roster.Reader) ([]campaign.StaffMember, error) {
	t.Helper()
	ctx := context.Background()
	s, err := campaign.Open(ctx, filepath.Join(t.TempDir(), "roster.db"), campaign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var order []string
	rows := func(yield func(campaign.RosterRow, error) bool) {
		for row, err := range r.Rows() {
			if row.Member != nil {
				order = append(order, row.Member.Email)
			}
			if !yield(row, err) {
				return
			}
		}
	}
	if _, err := s.ImportRoster(ctx, r.Source(), rows, campaign.ImportOptions{}); err != nil {
		return nil, err
	}
	stored, err := s.FindStaff(ctx, campaign.StaffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byEmail := map[string]campaign.StaffMember{}
	for _, m := range stored {
		m.ID = 0
		byEmail[m.Email] = m
	}
	var out []campaign.StaffMember
	for _, email := range order {
		out = append(out, byEmail[email])
	}
	return out, nil
}

// writeRawXLSX writes the smallest workbook Excel opens, whose only sheet's
// <sheetData> holds rows (raw XML), and returns its path. It can make
// sheets that excelize's own writer would take minutes to produce.
func writeRawXLSX(t *testing.T, name, rows string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	z := zip.NewWriter(out)
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`},
	} {
		w, err := z.Create(part.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(part.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func withFirstName(m campaign.StaffMember, first string) campaign.StaffMember {
	m.FirstName = first
	return m
}
