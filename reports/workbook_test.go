package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/reports"
)

// writeWorkbook writes r to a file and returns its path.
func writeWorkbook(t *testing.T, r *reports.Report) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteWorkbook(out, r); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func openWorkbook(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("excelize cannot open the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// raw returns a cell's stored value, unformatted.
func raw(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantCellNum fails unless the cell holds a number equal to the JSON value.
func wantCellNum(t *testing.T, f *excelize.File, sheet, cell string, want any) {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	got := raw(t, f, sheet, cell)
	w, ok := want.(float64)
	if !ok {
		t.Errorf("%s!%s: JSON has %v (%T), want a number to compare with", sheet, cell, want, want)
		return
	}
	v, err := strconv.ParseFloat(got, 64)
	if err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset || v != w {
		t.Errorf("%s!%s: got %q (type %v), want the number %v as in the JSON", sheet, cell, got, typ, w)
	}
}

// findRow returns the first row whose column A (and B, if given) match.
func findRow(t *testing.T, f *excelize.File, sheet string, a string, b ...string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == a && (len(b) == 0 || len(r) > 1 && r[1] == b[0]) {
			return i + 1
		}
	}
	t.Fatalf("%s: no row %q %v", sheet, a, b)
	return 0
}

func cellName(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func TestWorkbook(t *testing.T) {
	fx := newFixture(t, openStore(t), "Q4 Pulse 2026", 1)
	fx.close(t)
	r := fx.report(t, 1)
	js := jsonOf(t, r)
	path := writeWorkbook(t, r)
	f := openWorkbook(t, path)

	want := []string{"Summary", "Dimensions", "Groups", "Items", "Comments", "Method"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("got sheets %v, want %v", got, want)
	}

	t.Run("Summary", func(t *testing.T) {
		for _, tt := range []struct {
			label string
			key   string
		}{
			{"Invited", "invited"}, {"Delivered", "delivered"}, {"Responded", "responded"}, {"Response rate", "response_rate"},
			{"Leadership index", "leadership"}, {"Management index", "management"}, {"Balance", "balance"},
		} {
			wantCellNum(t, f, "Summary", cellName(2, findRow(t, f, "Summary", tt.label)), js[tt.key])
		}
		picture := raw(t, f, "Summary", cellName(2, findRow(t, f, "Summary", "Overall picture")))
		if !strings.HasPrefix(strings.ToLower(picture), js["quadrant"].(string)) {
			t.Errorf("overall picture %q does not name the quadrant %q", picture, js["quadrant"])
		}
		reading := raw(t, f, "Summary", cellName(1, findRow(t, f, "Summary", "What this says")+1))
		if !strings.Contains(reading, "26 of the 37 people invited answered") {
			t.Errorf("got reading %q, want one that starts from the response", reading)
		}
	})

	t.Run("Dimensions", func(t *testing.T) {
		for i, d := range objects(t, js["dimensions"]) {
			row := 4 + i
			if got := raw(t, f, "Dimensions", cellName(1, row)); got != d["name"] {
				t.Errorf("row %d: got %q, want %v", row, got, d["name"])
			}
			fav := d["favourability"].(map[string]any)
			for col, v := range []any{d["leadership"], d["management"], d["balance"], fav["leadership"], fav["management"], d["n"]} {
				wantCellNum(t, f, "Dimensions", cellName(2+col, row), v)
			}
		}
	})

	t.Run("Groups", func(t *testing.T) {
		const firstDim = 9
		lastCol := firstDim + 3*3 - 1
		for _, g := range objects(t, js["groups"]) {
			label := strings.ToUpper(g["column"].(string)[:1]) + g["column"].(string)[1:]
			row := findRow(t, f, "Groups", label, g["value"].(string))
			wantCellNum(t, f, "Groups", cellName(3, row), g["invited"])
			if g["suppressed"] == true {
				if got := raw(t, f, "Groups", cellName(4, row)); got != g["reason"] {
					t.Errorf("%v: got %q, want the reason %q", g["value"], got, g["reason"])
				}
				for col := 4; col <= lastCol; col++ {
					if typ, _ := f.GetCellType("Groups", cellName(col, row)); typ == excelize.CellTypeNumber {
						t.Errorf("%v is suppressed but %s holds a number", g["value"], cellName(col, row))
					}
				}
				continue
			}
			wantCellNum(t, f, "Groups", cellName(4, row), g["responded"])
			wantCellNum(t, f, "Groups", cellName(5, row), g["response_rate"])
			for col, key := range []string{"leadership", "management", "balance"} {
				if g[key] == nil {
					if got := raw(t, f, "Groups", cellName(6+col, row)); key != "balance" && !strings.HasPrefix(got, "withheld") {
						t.Errorf("%v: %s cell holds %q, want why it is withheld", g["value"], key, got)
					}
					continue
				}
				wantCellNum(t, f, "Groups", cellName(6+col, row), g[key])
			}
			for d, gd := range objects(t, g["dimensions"]) {
				for p, key := range []string{"leadership", "management"} {
					cell := cellName(firstDim+3*d+p, row)
					if gd[key] == nil {
						if got := raw(t, f, "Groups", cell); got != gd[key+"_reason"] {
							t.Errorf("%v %v: %s holds %q, want %q", g["value"], gd["id"], cell, got, gd[key+"_reason"])
						}
						continue
					}
					wantCellNum(t, f, "Groups", cell, gd[key])
				}
			}
		}
		if got := raw(t, f, "Groups", cellName(4, findRow(t, f, "Groups", "Department", "Ops"))); got != "hidden so that a smaller group cannot be worked out" {
			t.Errorf("Ops: got %q, want the complementary-suppression reason", got)
		}
	})

	t.Run("Items", func(t *testing.T) {
		for i, it := range objects(t, js["items"]) {
			row := 4 + i
			if got := raw(t, f, "Items", cellName(1, row)); got != it["text"] {
				t.Errorf("row %d: got %q, want %v", row, got, it["text"])
			}
			wantCellNum(t, f, "Items", cellName(5, row), it["n"])
			wantLabel := map[string]string{"p-l1": "People or systems (leadership 1)", "p-l2": "People or systems (leadership 2)", "p-m": "People or systems (management)"}
			if w, ok := wantLabel[it["id"].(string)]; ok {
				if got := raw(t, f, "Items", cellName(4, row)); got != w {
					t.Errorf("row %d: got short label %q, want %q", row, got, w)
				}
			}
			wantCellNum(t, f, "Items", cellName(6, row), it["mean"])
			wantCellNum(t, f, "Items", cellName(7, row), it["sd"])
			for v, n := range it["distribution"].([]any) {
				wantCellNum(t, f, "Items", cellName(8+v, row), n)
			}
		}
	})

	t.Run("Comments", func(t *testing.T) {
		rows, err := f.GetRows("Comments")
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, r := range rows[3:] {
			if len(r) == 2 {
				texts = append(texts, r[0])
				if r[1] != "Sales" {
					t.Errorf("comment %q: got department %q, want Sales", r[0], r[1])
				}
			}
		}
		if len(texts) != 12 || slices.Contains(texts, "Support has something to say") {
			t.Errorf("got comments %q, want Sales's 12 only", texts)
		}
	})

	t.Run("Method", func(t *testing.T) {
		rows, err := f.GetRows("Method")
		if err != nil {
			t.Fatal(err)
		}
		text := ""
		for _, r := range rows {
			text += strings.Join(r, " ") + "\n"
		}
		alpha := js["alpha"].(map[string]any)
		for _, want := range []string{
			"(average − 1) ÷ 4 × 100", "α = k ÷ (k − 1)", "σL²·αL", "5 responses: this campaign's setting",
			"hidden so that a smaller group cannot be worked out", "at least 10 responses",
			"leadership " + strconv.FormatFloat(alpha["leadership"].(float64), 'f', 2, 64),
			"management " + strconv.FormatFloat(alpha["management"].(float64), 'f', 2, 64),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("Method sheet lacks %q", want)
			}
		}
	})

	t.Run("Charts", func(t *testing.T) {
		charts := chartParts(t, path)
		var kinds []string
		for name, xml := range charts {
			switch {
			case strings.Contains(xml, "<scatterChart>") && strings.Contains(xml, "Groups!$F$"):
				kinds = append(kinds, "scatter")
			case strings.Contains(xml, `<grouping val="percentStacked">`) && strings.Contains(xml, "Items!$H$4"):
				kinds = append(kinds, "stacked")
			case strings.Contains(xml, `<barDir val="bar">`) && strings.Contains(xml, `<grouping val="clustered">`) && strings.Contains(xml, "Dimensions!$B$4:$B$6") && strings.Contains(xml, reports.ColourLeadership):
				kinds = append(kinds, "dimensions")
			default:
				t.Errorf("unexpected chart %s", name)
			}
		}
		slices.Sort(kinds)
		// One scatter only: of the breakdown columns, only grade has three
		// groups that show both indices.
		if want := []string{"dimensions", "scatter", "stacked"}; !slices.Equal(kinds, want) {
			t.Errorf("got charts %v, want %v", kinds, want)
		}
	})

	t.Run("ConditionalFormats", func(t *testing.T) {
		for _, tt := range []struct {
			sheet string
			kind  string
			min   int
		}{
			{"Groups", "3_color_scale", 3 + 3*3}, // overall and every dimension: L, M and balance
			{"Dimensions", "3_color_scale", 3},
			{"Dimensions", "2_color_scale", 2},
		} {
			formats, err := f.GetConditionalFormats(tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, opts := range formats {
				for _, o := range opts {
					if o.Type == tt.kind {
						n++
					}
				}
			}
			if n < tt.min {
				t.Errorf("%s: got %d %s formats, want at least %d (all: %v)", tt.sheet, n, tt.kind, tt.min, formats)
			}
		}
	})

	t.Run("Layout", func(t *testing.T) {
		for _, s := range f.GetSheetList() {
			panes, err := f.GetPanes(s)
			if err != nil || !panes.Freeze || panes.YSplit < 2 {
				t.Errorf("%s: got panes %+v (%v), want frozen header rows", s, panes, err)
			}
			layout, err := f.GetPageLayout(s)
			if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 {
				t.Errorf("%s: got page layout %+v (%v), want landscape, one page wide", s, layout, err)
			}
			props, err := f.GetSheetProps(s)
			if err != nil || props.FitToPage == nil || !*props.FitToPage {
				t.Errorf("%s: fit to page is not set (%v)", s, err)
			}
		}
		width, err := f.GetColWidth("Items", "A")
		if err != nil || width < 40 {
			t.Errorf("Items: statement column is %v wide, want room for a sentence", width)
		}
		doc, err := f.GetDocProps()
		if err != nil || !strings.Contains(doc.Title, "Q4 Pulse 2026") || doc.Creator != "lvm-mail" {
			t.Errorf("got document properties %+v (%v)", doc, err)
		}
		style, err := f.GetCellStyle("Dimensions", "B4")
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(style)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0" {
			t.Errorf("Dimensions!B4: got number format %v, want one decimal", st)
		}
	})
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

// TestNoFormulaFromRespondents: whatever a respondent typed, and in fact
// every cell of the workbook, is a value, never a formula.
func TestNoFormulaFromRespondents(t *testing.T) {
	fx := newFixture(t, openStore(t), "Pulse", 1)
	fx.close(t)
	f := openWorkbook(t, writeWorkbook(t, fx.report(t, 1)))

	found := false
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, cells := range rows {
			for c, v := range cells {
				cell := cellName(c+1, r+1)
				formula, err := f.GetCellFormula(sheet, cell)
				if err != nil || formula != "" {
					t.Errorf("%s!%s holds the formula %q (%v)", sheet, cell, formula, err)
				}
				if v != hyperlink {
					continue
				}
				found = true
				typ, err := f.GetCellType(sheet, cell)
				if err != nil || typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
					t.Errorf("%s!%s: got cell type %v (%v), want a string", sheet, cell, typ, err)
				}
			}
		}
	}
	if !found {
		t.Errorf("the comment %q is not in the workbook as typed", hyperlink)
	}
}

func TestWorkbookBeforeClose(t *testing.T) {
	fx := newFixture(t, openStore(t), "Pulse", 1)
	f := openWorkbook(t, writeWorkbook(t, fx.report(t, 1)))
	if got := raw(t, f, "Groups", "A4"); !strings.Contains(got, "once the campaign is closed") {
		t.Errorf("Groups!A4: got %q, want why groups are not shown yet", got)
	}
	if got := raw(t, f, "Comments", "A5"); !strings.Contains(got, "once the campaign is closed") {
		t.Errorf("Comments!A5: got %q, want why comments are not shown yet", got)
	}
	note := raw(t, f, "Summary", cellName(1, findRow(t, f, "Summary", "Please note")+1))
	if !strings.Contains(note, "still open") {
		t.Errorf("got note %q, want the reason groups are missing", note)
	}
}

func TestWorkbookWithComparison(t *testing.T) {
	s := openStore(t)
	before := newFixture(t, s, "Spring", 1)
	before.close(t)
	now := newFixture(t, s, "Autumn", 2)
	now.close(t)
	r := now.report(t, 1)
	r.CompareWith(before.report(t, 1))
	js := jsonOf(t, r)
	f := openWorkbook(t, writeWorkbook(t, r))

	if !slices.Contains(f.GetSheetList(), "Change") {
		t.Fatalf("got sheets %v, want a Change sheet", f.GetSheetList())
	}
	cmp := js["compare"].(map[string]any)
	for _, d := range objects(t, cmp["dimensions"]) {
		row := findRow(t, f, "Change", d["name"].(string))
		for i, key := range []string{"leadership", "management", "balance"} {
			c := d[key].(map[string]any)
			wantCellNum(t, f, "Change", cellName(2+3*i, row), c["now"])
			wantCellNum(t, f, "Change", cellName(3+3*i, row), c["before"])
			wantCellNum(t, f, "Change", cellName(4+3*i, row), c["change"])
		}
	}
	row := findRow(t, f, "Change", "Department: Sales")
	sales := objects(t, cmp["groups"])[0]
	wantCellNum(t, f, "Change", cellName(4, row), sales["leadership"].(map[string]any)["change"])
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
