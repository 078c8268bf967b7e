package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/reports"
)

// intervalText is how the workbook writes a JSON interval: "57.0 to 65.4",
// with a real minus sign.
func intervalText(v any) string {
	ci, ok := v.([]any)
	if !ok || len(ci) != 2 {
		return ""
	}
	s := func(x float64) string { return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), "-", "−", 1) }
	return s(ci[0].(float64)) + " to " + s(ci[1].(float64))
}

// wantRowsFitText fails for every cell of a sheet whose wrapped text its
// row is too short to show. It estimates the lines generously, as a
// spreadsheet program would lay them out at the least: 1.3 characters per
// unit of column width (or of the columns the cell is merged across), and
// 1.15 times the font size per line.
func wantRowsFitText(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	merged := map[string]float64{}
	merges, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	colWidth := func(col int) float64 {
		name, _ := excelize.ColumnNumberToName(col)
		w, err := f.GetColWidth(sheet, name)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, m := range merges {
		c1, _, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, _, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
		w := 0.0
		for c := c1; c <= c2; c++ {
			w += colWidth(c)
		}
		merged[m.GetStartAxis()] = w
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for r, cells := range rows {
		for c, v := range cells {
			if strings.TrimSpace(v) == "" {
				continue
			}
			cell := cellName(c+1, r+1)
			id, err := f.GetCellStyle(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil || st.Alignment == nil || !st.Alignment.WrapText || st.Alignment.TextRotation != 0 {
				continue
			}
			width, ok := merged[cell]
			if !ok {
				width = colWidth(c + 1)
			}
			size := 11.0
			if st.Font != nil && st.Font.Size > 0 {
				size = st.Font.Size
			}
			perLine := width * 1.3 * 11 / size
			lines := 0
			for _, para := range strings.Split(v, "\n") {
				lines += max(1, int(math.Ceil(float64(len([]rune(para)))/perLine)))
			}
			need := float64(lines) * size * 1.15
			height, err := f.GetRowHeight(sheet, r+1)
			if err != nil {
				t.Fatal(err)
			}
			if height < need {
				t.Errorf("%s!%s: row %d is %.0f points high, too short for %d lines of %q", sheet, cell, r+1, height, lines, v)
			}
		}
	}
}

// chartParts returns the XML of every chart part of the workbook, by name.
func chartParts(t *testing.T, path string) map[string]string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	out := map[string]string{}
	for _, file := range z.File {
		if !strings.HasPrefix(file.Name, "xl/charts/chart") {
			continue
		}
		rc, err := file.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[file.Name] = string(b)
	}
	return out
}

// TestWorkbookOpensInLibreOffice converts the workbook to PDF with
// LibreOffice: a file it would have to repair does not convert cleanly.
func TestWorkbookOpensInLibreOffice(t *testing.T) {
	soffice := testtool.Find(t, "soffice", "apt-get install -y --no-install-recommends libreoffice-calc")
	fx := newFixture(t, openStore(t), "Pulse", 1)
	fx.close(t)
	path := writeWorkbook(t, fx.report(t, 1))
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "report.pdf"))
	if err != nil {
		t.Fatalf("LibreOffice made no PDF: %v\n%s", err, out)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 {
		t.Errorf("got %d bytes starting %q, want a PDF of the report", len(pdf), pdf[:min(len(pdf), 8)])
	}
}

// TestGroupColoursAreDistinct: the quadrant chart's colours are far enough
// apart to tell the groups apart, and from leadership's blue and
// management's orange (two groups once shared nearly one colour).
func TestGroupColoursAreDistinct(t *testing.T) {
	rgb := func(hex string) [3]float64 {
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		return [3]float64{float64(v >> 16), float64(v >> 8 & 0xff), float64(v & 0xff)}
	}
	all := append([]string{reports.ColourLeadership, reports.ColourManagement}, reports.GroupColours...)
	if len(reports.GroupColours) < 8 {
		t.Errorf("got %d group colours, want at least 8", len(reports.GroupColours))
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			a, b := rgb(all[i]), rgb(all[j])
			if d := math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2])); d < 60 {
				t.Errorf("%s and %s are %.0f apart in RGB, want at least 60", all[i], all[j], d)
			}
		}
	}
}
