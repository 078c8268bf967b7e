package reports_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

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

	want := []string{"Summary", "Groups", "Group dimensions", "Dimensions", "Items", "Comments", "Method"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("got sheets %v, want %v", got, want)
	}
	groups := objects(t, js["groups"])
	groupRow := func(g map[string]any) int {
		return findRow(t, f, "Groups", strings.ToUpper(g["column"].(string)[:1])+g["column"].(string)[1:], g["value"].(string))
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
		for _, tt := range []struct{ label, key string }{
			{"Leadership index", "leadership_ci95"}, {"Management index", "management_ci95"}, {"Balance", "balance_ci95"},
		} {
			got := raw(t, f, "Summary", cellName(3, findRow(t, f, "Summary", tt.label)))
			if want := intervalText(js[tt.key]); got != want {
				t.Errorf("%s: got interval %q, want %q", tt.label, got, want)
			}
		}
		if got := raw(t, f, "Summary", "B4"); got != "Q4 Pulse 2026 (q4-pulse-2026)" {
			t.Errorf("campaign: got %q, want the name and the slug in full", got)
		}
		picture := raw(t, f, "Summary", cellName(2, findRow(t, f, "Summary", "Overall picture")))
		if !strings.HasPrefix(strings.ToLower(picture), js["quadrant"].(string)) {
			t.Errorf("overall picture %q does not name the quadrant %q", picture, js["quadrant"])
		}
		reading := raw(t, f, "Summary", cellName(1, findRow(t, f, "Summary", "What this says")+1))
		if !strings.Contains(reading, "26 of the 37 people reached answered") {
			t.Errorf("got reading %q, want one that starts from the response", reading)
		}

		// Who differs: the shown groups with the highest and the lowest
		// balance, of any breakdown column, each with its difference from
		// the rest and the verdict.
		var high, low map[string]any
		for _, g := range groups {
			if g["suppressed"] == true {
				continue
			}
			if high == nil || g["balance"].(float64) > high["balance"].(float64) {
				high = g
			}
			if low == nil || g["balance"].(float64) < low["balance"].(float64) {
				low = g
			}
		}
		for _, tt := range []struct {
			label string
			group map[string]any
		}{{"Leans most to leading", high}, {"Leans most to managing", low}} {
			row := findRow(t, f, "Summary", tt.label)
			name := strings.ToUpper(tt.group["column"].(string)[:1]) + tt.group["column"].(string)[1:] + ": " + tt.group["value"].(string)
			if got := raw(t, f, "Summary", cellName(2, row)); got != name {
				t.Errorf("%s: got %q, want %q", tt.label, got, name)
			}
			wantCellNum(t, f, "Summary", cellName(4, row), tt.group["balance"])
			wantCellNum(t, f, "Summary", cellName(5, row), tt.group["difference"])
			verdict := raw(t, f, "Summary", cellName(6, row))
			if clear := tt.group["differs"] != "no clear difference"; clear != strings.HasPrefix(verdict, "Yes: clearly "+tt.group["differs"].(string)) {
				t.Errorf("%s: got verdict %q, want one saying %v", tt.label, verdict, tt.group["differs"])
			}
			if !strings.Contains(reading, tt.group["value"].(string)+" ("+tt.group["column"].(string)+")") {
				t.Errorf("the reading does not name %v: %q", tt.group["value"], reading)
			}
		}
		if high["value"] != "Sales" {
			t.Errorf("got %v as leaning most to leading, want Sales, which the fixture makes so", high["value"])
		}

		// Strongest and weakest: the highest and lowest mean of L and M.
		dims := objects(t, js["dimensions"])
		level := func(d map[string]any) float64 { return d["leadership"].(float64) + d["management"].(float64) }
		strongest, weakest := dims[0], dims[0]
		for _, d := range dims {
			if level(d) > level(strongest) {
				strongest = d
			}
			if level(d) < level(weakest) {
				weakest = d
			}
		}
		for label, d := range map[string]map[string]any{"Strongest": strongest, "Weakest": weakest} {
			row := findRow(t, f, "Summary", label)
			if got := raw(t, f, "Summary", cellName(2, row)); got != d["name"] {
				t.Errorf("%s dimension: got %q, want %v", label, got, d["name"])
			}
			wantCellNum(t, f, "Summary", cellName(4, row), d["leadership"])
			wantCellNum(t, f, "Summary", cellName(5, row), d["management"])
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
		const firstDim = 13
		lastCol := firstDim + 3 - 1
		for _, g := range groups {
			row := groupRow(g)
			if g["suppressed"] == true {
				if got := raw(t, f, "Groups", cellName(3, row)); got != g["reason"] {
					t.Errorf("%v: got %q, want the reason %q", g["value"], got, g["reason"])
				}
				for col := 3; col <= lastCol; col++ {
					if typ, _ := f.GetCellType("Groups", cellName(col, row)); typ == excelize.CellTypeNumber {
						t.Errorf("%v is suppressed but %s holds a number", g["value"], cellName(col, row))
					}
				}
				continue
			}
			wantCellNum(t, f, "Groups", cellName(3, row), g["responded"])
			wantCellNum(t, f, "Groups", cellName(4, row), g["response_rate"])
			for i, key := range []string{"leadership", "management", "balance"} {
				wantCellNum(t, f, "Groups", cellName(5+2*i, row), g[key])
				want := intervalText(g[key+"_ci95"])
				if g["responded"] == g["invited"] {
					want = "all answered" // Sales: the interval has no width
				}
				if got := raw(t, f, "Groups", cellName(6+2*i, row)); got != want {
					t.Errorf("%v %s: got interval %q, want %q", g["value"], key, got, want)
				}
			}
			wantCellNum(t, f, "Groups", cellName(11, row), g["difference"])
			if got := raw(t, f, "Groups", cellName(12, row)); got != g["differs"] {
				t.Errorf("%v: got verdict %q, want %q", g["value"], got, g["differs"])
			}
			for d, gd := range objects(t, g["dimensions"]) {
				cell := cellName(firstDim+d, row)
				if gd["balance"] != nil {
					wantCellNum(t, f, "Groups", cell, gd["balance"])
					continue
				}
				// A short reason that fits; the full one is below the table.
				want := "too few"
				if gd["leadership_reason"] != "fewer than 5 answers" && gd["management_reason"] != "fewer than 5 answers" {
					want = "hidden"
				}
				if got := raw(t, f, "Groups", cell); got != want {
					t.Errorf("%v %v: %s holds %q, want %q", g["value"], gd["id"], cell, got, want)
				}
			}
		}
		if got := raw(t, f, "Groups", cellName(3, findRow(t, f, "Groups", "Department", "Ops"))); got != "hidden so that a smaller group cannot be worked out" {
			t.Errorf("Ops: got %q, want the complementary-suppression reason", got)
		}
		// Support's q leadership rests on 4 answers: its balance cell says so
		// in short, and the explanation is below the table, once.
		support := findRow(t, f, "Groups", "Department", "Support")
		if got := raw(t, f, "Groups", cellName(firstDim+1, support)); got != "too few" {
			t.Errorf("Support, q: got %q, want \"too few\"", got)
		}
		rows, err := f.GetRows("Groups")
		if err != nil {
			t.Fatal(err)
		}
		explained := 0
		for _, r := range rows {
			if len(r) > 0 && strings.Contains(r[0], `"too few": fewer than 5 people of the group answered`) {
				explained++
			}
		}
		if explained != 1 {
			t.Errorf("the short reasons are explained %d times below the table, want once", explained)
		}
	})

	t.Run("GroupDimensions", func(t *testing.T) {
		const firstDim = 5
		for _, g := range groups {
			row := findRow(t, f, "Group dimensions", strings.ToUpper(g["column"].(string)[:1])+g["column"].(string)[1:], g["value"].(string))
			wantCellNum(t, f, "Group dimensions", cellName(3, row), g["invited"])
			if g["suppressed"] == true {
				if got := raw(t, f, "Group dimensions", cellName(4, row)); got != g["reason"] {
					t.Errorf("%v: got %q, want the reason %q", g["value"], got, g["reason"])
				}
				continue
			}
			for d, gd := range objects(t, g["dimensions"]) {
				for p, key := range []string{"leadership", "management"} {
					cell := cellName(firstDim+2*d+p, row)
					switch gd[key+"_reason"] {
					case nil:
						wantCellNum(t, f, "Group dimensions", cell, gd[key])
					case "fewer than 5 answers":
						if got := raw(t, f, "Group dimensions", cell); got != "too few" {
							t.Errorf("%v %v %s: got %q, want \"too few\"", g["value"], gd["id"], key, got)
						}
					default:
						if got := raw(t, f, "Group dimensions", cell); got != "hidden" {
							t.Errorf("%v %v %s: got %q, want \"hidden\"", g["value"], gd["id"], key, got)
						}
					}
				}
			}
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
		labels := map[string]string{}
		for _, r := range rows[3:] {
			if len(r) > 0 && r[0] != "" {
				labels[r[0]] = ""
				if len(r) > 1 {
					labels[r[0]] = r[1]
				}
			}
		}
		if len(labels) != 13 || labels["Support has something to say"] != "" || labels["Sales comment 5"] != "Sales" {
			t.Errorf("got comments %q; want all 13, Sales's named, Support's not", labels)
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
			"hidden so that a smaller group cannot be worked out", "at least 10 people have responded",
			"√(1 − n ÷ N)", "Welch's t test", "Holm's correction for all the groups compared in this report (7)",
			"every name of a person on the roster becomes [name]", "The database keeps each comment as it was written",
			"leadership " + strconv.FormatFloat(alpha["leadership"].(float64), 'f', 2, 64),
			"management " + strconv.FormatFloat(alpha["management"].(float64), 'f', 2, 64),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("Method sheet lacks %q", want)
			}
		}
	})

	t.Run("QuadrantChart", func(t *testing.T) {
		// Of the breakdown columns, only grade has three groups showing both
		// indices: one chart, a labelled point per group, the dashed lines at
		// 50 and the four quadrant names.
		var scatter []string
		for _, xml := range chartParts(t, path) {
			if strings.Contains(xml, "<scatterChart>") {
				scatter = append(scatter, xml)
			}
		}
		if len(scatter) != 1 {
			t.Fatalf("got %d quadrant charts, want 1 (grade)", len(scatter))
		}
		xml := scatter[0]
		if !strings.Contains(xml, `<showSerName val="1"></showSerName>`) && !strings.Contains(xml, `<showSerName val="1"/>`) {
			t.Error("the quadrant chart's points are not labelled with their names")
		}
		if strings.Contains(xml, "<legend>") {
			t.Error("the quadrant chart has a legend as well as labels")
		}
		var colours []string
		for _, grade := range []string{"A", "B", "C"} {
			row := findRow(t, f, "Groups", "Grade", grade)
			if !strings.Contains(xml, "<f>Groups!$B$"+strconv.Itoa(row)+"</f>") {
				t.Errorf("grade %s: no point named from Groups!B%d", grade, row)
			}
		}
		for _, m := range regexp.MustCompile(`(?s)<marker>.*?</marker>`).FindAllString(xml, -1) {
			if c := regexp.MustCompile(`srgbClr val="([0-9A-F]{6})"`).FindStringSubmatch(m); c != nil && c[1] != "FFFFFF" {
				colours = append(colours, c[1])
			}
		}
		if distinct := slices.Compact(slices.Sorted(slices.Values(colours))); len(colours) != 3 || len(distinct) != 3 {
			t.Errorf("got marker colours %v, want three distinct ones", colours)
		}
		// The guides: hidden cells with the quadrant names and the points of
		// the lines at 50.
		rows, err := f.GetRows("Groups")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		fifties := 0
		for _, r := range rows {
			for c, v := range r {
				if c < 13+3 || v == "" {
					continue
				}
				col, _ := excelize.ColumnNumberToName(c + 1)
				if visible, _ := f.GetColVisible("Groups", col); visible {
					t.Errorf("chart guide %q in visible column %s", v, col)
				}
				if v == "50" {
					fifties++
				}
				if strings.TrimSpace(v) != "" && v[0] > '9' {
					names = append(names, v)
				}
			}
		}
		slices.Sort(names)
		if want := []string{"Leader-led", "Leads and manages", "Manager-run", "Neither"}; !slices.Equal(names, want) || fifties != 4 {
			t.Errorf("got guides %v and %d points at 50, want %v and the ends of two lines at 50 (4)", names, fifties, want)
		}
		for _, ref := range []string{"Groups!$E$", "Groups!$G$"} { // leadership up, management across
			if !strings.Contains(xml, ref) {
				t.Errorf("the quadrant chart does not refer to %s", ref)
			}
		}
	})

	t.Run("Charts", func(t *testing.T) {
		var kinds []string
		for name, xml := range chartParts(t, path) {
			switch {
			case strings.Contains(xml, "<scatterChart>"):
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
			{"Groups", "3_color_scale", 3 + 3},           // L, M, balance; the balance of every dimension
			{"Group dimensions", "3_color_scale", 2 * 3}, // L and M of every dimension
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
			if s == "Groups" && (layout.FitToHeight == nil || *layout.FitToHeight != 1) {
				t.Errorf("Groups: got %v pages high, want one page", layout.FitToHeight)
			}
			props, err := f.GetSheetProps(s)
			if err != nil || props.FitToPage == nil || !*props.FitToPage {
				t.Errorf("%s: fit to page is not set (%v)", s, err)
			}
			wantRowsFitText(t, f, s)
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
