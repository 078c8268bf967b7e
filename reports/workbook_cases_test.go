package reports_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

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

	want := []string{"Summary", "Change", "Groups", "Group dimensions", "Dimensions", "Items", "Comments", "Method"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("got sheets %v, want %v", got, want)
	}
	wantRowsFitText(t, f, "Change")
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
