package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/reports"
)

// jsonOf writes the report with WriteJSON and decodes it generically, as a
// BI tool would.
func jsonOf(t *testing.T, r *reports.Report) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatalf("report JSON does not decode: %v\n%s", err, buf.String())
	}
	return out
}

// hasKeys fails unless obj has every key of DESIGN.md.
func hasKeys(t *testing.T, what string, obj map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s lacks key %q (has %v)", what, k, slices.Sorted(maps.Keys(obj)))
		}
	}
}

// wantNum fails unless v is a JSON number equal to want (to 1e-9).
func wantNum(t *testing.T, what string, v any, want float64) {
	t.Helper()
	got, ok := v.(float64)
	if !ok {
		t.Errorf("%s: got %v (%T), want %v", what, v, v, want)
		return
	}
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func objects(t *testing.T, v any) []map[string]any {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("got %T, want a JSON array", v)
	}
	out := make([]map[string]any, len(list))
	for i, e := range list {
		out[i] = e.(map[string]any)
	}
	return out
}

func TestReportJSON(t *testing.T) {
	f := newFixture(t, openStore(t), "Q4 Pulse 2026", 1)
	f.close(t)
	js := jsonOf(t, f.report(t, 1))

	hasKeys(t, "report", js, "campaign", "invited", "responded", "response_rate", "leadership", "management",
		"balance", "quadrant", "alpha", "dimensions", "groups", "items")
	hasKeys(t, "alpha", js["alpha"].(map[string]any), "leadership", "management")
	if js["campaign"] != "q4-pulse-2026" || js["closed"] != true {
		t.Errorf("got campaign %v, closed %v; want q4-pulse-2026, true", js["campaign"], js["closed"])
	}
	wantNum(t, "invited", js["invited"], 37)
	wantNum(t, "responded", js["responded"], 26)
	wantNum(t, "response_rate", js["response_rate"], r3(26.0/37))

	// Overall indices: the mean of every person's own index, rounded; the
	// balance from the rounded indices; the quadrant from those.
	l, m := r1(f.overall(campaign.Leadership, everyone)), r1(f.overall(campaign.Management, everyone))
	wantNum(t, "leadership", js["leadership"], l)
	wantNum(t, "management", js["management"], m)
	wantNum(t, "balance", js["balance"], r1(l-m))
	hasKeys(t, "report", js, "leadership_ci95", "management_ci95", "balance_ci95")
	wantInterval(t, "leadership_ci95", js["leadership_ci95"], interval(f.owns(campaign.Leadership, everyone), 37, 0, 100))
	wantInterval(t, "management_ci95", js["management_ci95"], interval(f.owns(campaign.Management, everyone), 37, 0, 100))
	wantInterval(t, "balance_ci95", js["balance_ci95"], interval(f.owns("", everyone), 37, -100, 100))
	if want := string(campaign.QuadrantOf(l, m)); js["quadrant"] != want {
		t.Errorf("quadrant: got %v, want %q", js["quadrant"], want)
	}
	alpha := js["alpha"].(map[string]any)
	wantNum(t, "alpha.leadership", alpha["leadership"], r2(f.alpha(campaign.Leadership)))
	wantNum(t, "alpha.management", alpha["management"], r2(f.alpha(campaign.Management)))

	dims := objects(t, js["dimensions"])
	if len(dims) != 3 {
		t.Fatalf("got %d dimensions, want 3", len(dims))
	}
	for i, d := range dims {
		want := f.in.Dimensions[i]
		hasKeys(t, "dimension", d, "id", "name", "leadership", "management", "balance", "n")
		if d["id"] != want.ID || d["name"] != want.Name {
			t.Errorf("dimension %d: got %v %v, want %s %s", i, d["id"], d["name"], want.ID, want.Name)
		}
		dl, favL, _ := f.poleIndex(want.ID, campaign.Leadership, everyone)
		dm, favM, _ := f.poleIndex(want.ID, campaign.Management, everyone)
		wantNum(t, want.ID+".leadership", d["leadership"], r1(dl))
		wantNum(t, want.ID+".management", d["management"], r1(dm))
		wantNum(t, want.ID+".balance", d["balance"], r1(r1(dl)-r1(dm)))
		wantNum(t, want.ID+".n", d["n"], 26)
		fav := d["favourability"].(map[string]any)
		wantNum(t, want.ID+".favourability.leadership", fav["leadership"], r3(favL))
		wantNum(t, want.ID+".favourability.management", fav["management"], r3(favM))
	}

	items := objects(t, js["items"])
	for i, it := range items {
		want := f.in.Items[i]
		hasKeys(t, "item", it, "id", "dimension", "pole", "n", "mean")
		var vals []float64
		var dist [5]float64
		for _, g := range f.given {
			if v, ok := g.answers[want.ID]; ok {
				vals = append(vals, float64(v))
				dist[v-1]++
			}
		}
		mean, ss := 0.0, 0.0
		for _, v := range vals {
			mean += v / float64(len(vals))
		}
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		if it["id"] != want.ID || it["dimension"] != want.Dimension || it["pole"] != string(want.Pole) {
			t.Errorf("item %d: got %v %v %v, want %s %s %s", i, it["id"], it["dimension"], it["pole"], want.ID, want.Dimension, want.Pole)
		}
		wantNum(t, want.ID+".n", it["n"], float64(len(vals)))
		wantNum(t, want.ID+".mean", it["mean"], r2(mean))
		wantNum(t, want.ID+".sd", it["sd"], r2(math.Sqrt(ss/float64(len(vals)-1))))
		for v, got := range it["distribution"].([]any) {
			wantNum(t, want.ID+".distribution", got, dist[v])
		}
	}

	// Groups: department first, then location; pooled group last.
	groups := objects(t, js["groups"])
	type row struct{ column, value string }
	var order []row
	byName := map[row]map[string]any{}
	for _, g := range groups {
		hasKeys(t, "group", g, "column", "value", "invited", "responded", "suppressed", "leadership", "management", "balance")
		k := row{g["column"].(string), g["value"].(string)}
		order = append(order, k)
		byName[k] = g
	}
	wantOrder := []row{
		{"department", "Finance"}, {"department", "Ops"}, {"department", "Sales"}, {"department", "Support"},
		{"department", campaign.PooledGroup}, {"grade", "A"}, {"grade", "B"}, {"grade", "C"},
		{"location", "Leeds"}, {"location", "York"},
	}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("got groups %v, want %v", order, wantOrder)
	}

	suppressed := []struct {
		value, reason string
		invited       float64
	}{
		{"Finance", "fewer than 5 responses", 6},
		{"Ops", "hidden so that a smaller group cannot be worked out", 7},
		{campaign.PooledGroup, "fewer than 5 responses", 4},
	}
	for _, s := range suppressed {
		g := byName[row{"department", s.value}]
		if g["suppressed"] != true || g["reason"] != s.reason {
			t.Errorf("%s: got suppressed %v (%v), want true (%s)", s.value, g["suppressed"], g["reason"], s.reason)
		}
		wantNum(t, s.value+".invited", g["invited"], s.invited)
		for _, k := range []string{"responded", "response_rate", "leadership", "management", "balance"} {
			if g[k] != nil {
				t.Errorf("%s: got %s %v, want null", s.value, k, g[k])
			}
		}
		for _, d := range objects(t, g["dimensions"]) {
			if d["leadership"] != nil || d["management"] != nil || d["balance"] != nil {
				t.Errorf("%s: got dimension scores %v, want null", s.value, d)
			}
		}
	}
	// Nothing hidden can be recovered: the hidden departments hold 3 + 5 + 0
	// responses together, and what total minus shown gives is their sum.
	shownResponded := 0.0
	for _, g := range groups {
		if g["column"] == "department" && g["suppressed"] == false {
			shownResponded += g["responded"].(float64)
		}
	}
	if hidden := 26 - shownResponded; hidden < 5 {
		t.Errorf("total minus shown departments gives %v responses: fewer than 5", hidden)
	}

	in := func(dept string) func(given) bool { return func(g given) bool { return g.department == dept } }
	sales := byName[row{"department", "Sales"}]
	wantNum(t, "Sales.responded", sales["responded"], 12)
	wantNum(t, "Sales.response_rate", sales["response_rate"], 1)
	for i, d := range objects(t, sales["dimensions"]) {
		dl, _, _ := f.poleIndex(f.in.Dimensions[i].ID, campaign.Leadership, in("Sales"))
		wantNum(t, "Sales."+f.in.Dimensions[i].ID+".leadership", d["leadership"], r1(dl))
	}

	// Support shows, but two of its six skipped q's leadership statement:
	// that score rests on 4 answers and is withheld. Its overall indices
	// rest on all of its answers and are shown.
	support := byName[row{"department", "Support"}]
	wantNum(t, "Support.responded", support["responded"], 6)
	wantNum(t, "Support.response_rate", support["response_rate"], r3(6.0/8))
	supportDims := objects(t, support["dimensions"])
	if supportDims[1]["leadership"] != nil || supportDims[1]["leadership_reason"] != "fewer than 5 answers" {
		t.Errorf("Support, q: got %v, want leadership withheld as fewer than 5 answers", supportDims[1])
	}
	dl, _, _ := f.poleIndex("p", campaign.Leadership, in("Support"))
	wantNum(t, "Support.p.leadership", supportDims[0]["leadership"], r1(dl))

	// Every shown group: its overall indices from its people's own indices,
	// their intervals, and how its balance compares with everyone else's.
	type shown struct {
		row
		keep      func(given) bool
		responded float64
	}
	shownGroups := []shown{
		{row{"department", "Sales"}, in("Sales"), 12},
		{row{"department", "Support"}, in("Support"), 6},
		{row{"grade", "A"}, func(g given) bool { return g.grade == "A" }, 9},
		{row{"grade", "B"}, func(g given) bool { return g.grade == "B" }, 9},
		{row{"grade", "C"}, func(g given) bool { return g.grade == "C" }, 8},
		{row{"location", "Leeds"}, func(g given) bool { return g.location == "Leeds" }, 18},
		{row{"location", "York"}, func(g given) bool { return g.location == "York" }, 8},
	}
	var pValues []float64
	for _, sg := range shownGroups {
		g, name := byName[sg.row], sg.column+"="+sg.value
		hasKeys(t, name, g, "leadership_ci95", "management_ci95", "balance_ci95", "differs", "difference")
		if g["suppressed"] != false {
			t.Errorf("%s: got suppressed, want shown", name)
		}
		wantNum(t, name+".responded", g["responded"], sg.responded)
		invited := fixtureInvited(sg.keep)
		l, m := r1(f.overall(campaign.Leadership, sg.keep)), r1(f.overall(campaign.Management, sg.keep))
		wantNum(t, name+".leadership", g["leadership"], l)
		wantNum(t, name+".management", g["management"], m)
		wantNum(t, name+".balance", g["balance"], r1(l-m))
		wantInterval(t, name+".leadership_ci95", g["leadership_ci95"], interval(f.owns(campaign.Leadership, sg.keep), invited, 0, 100))
		wantInterval(t, name+".management_ci95", g["management_ci95"], interval(f.owns(campaign.Management, sg.keep), invited, 0, 100))
		wantInterval(t, name+".balance_ci95", g["balance_ci95"], interval(f.owns("", sg.keep), invited, -100, 100))
		rest := func(gv given) bool { return !sg.keep(gv) }
		diff, p := welchP(f.owns("", sg.keep), f.owns("", rest))
		wantNum(t, name+".difference", g["difference"], r1(diff))
		pValues = append(pValues, p)
	}
	significant := holmSignificant(pValues)
	differing := 0
	for i, sg := range shownGroups {
		g := byName[sg.row]
		want := "no clear difference"
		switch d := g["difference"].(float64); {
		case significant[i] && d > 0:
			want = "more leadership"
		case significant[i] && d < 0:
			want = "more management"
		}
		if significant[i] {
			differing++
		}
		if g["differs"] != want {
			t.Errorf("%s=%s: got differs %v, want %q (p %.4g, difference %v)", sg.column, sg.value, g["differs"], want, pValues[i], g["difference"])
		}
	}
	if byName[row{"department", "Sales"}]["differs"] != "more leadership" || differing == len(shownGroups) {
		t.Errorf("Sales, which leans to leading, got %v; %d of %d groups differ; want Sales and not every group",
			byName[row{"department", "Sales"}]["differs"], differing, len(shownGroups))
	}
	for _, s := range suppressed {
		g := byName[row{"department", s.value}]
		for _, k := range []string{"leadership_ci95", "differs", "difference"} {
			if g[k] != nil {
				t.Errorf("%s is suppressed: got %s %v, want null", s.value, k, g[k])
			}
		}
	}

	cm := js["comments"].(map[string]any)
	wantNum(t, "comments.shown", cm["shown"], 13)
	wantNum(t, "comments.withheld", cm["withheld"], 0)
}

// fixtureInvited counts the people of the fixture's roster keep accepts.
func fixtureInvited(keep func(given) bool) int {
	n := 0
	for _, d := range fixtureDepartments {
		for i := range d.invited {
			if keep(given{department: d.name, location: d.location, grade: grade(i)}) {
				n++
			}
		}
	}
	return n
}

// wantInterval fails unless v is the JSON array [low, high] of want.
func wantInterval(t *testing.T, what string, v any, want [2]float64) {
	t.Helper()
	got, ok := v.([]any)
	if !ok || len(got) != 2 {
		t.Errorf("%s: got %v, want [%v, %v]", what, v, want[0], want[1])
		return
	}
	wantNum(t, what+"[0]", got[0], want[0])
	wantNum(t, what+"[1]", got[1], want[1])
}

// TestCommentsAreShuffledCleanedAndLabelled: with 26 responses in all,
// every comment is shown. Sales (12 responses, shown) names its comments;
// Support (6) shows its comment without its name.
func TestCommentsAreShuffledCleanedAndLabelled(t *testing.T) {
	f := newFixture(t, openStore(t), "Pulse", 1)
	f.close(t)
	a, b := f.report(t, 1), f.report(t, 2)
	var orderA, orderB []string
	for _, c := range a.Comments.List {
		orderA = append(orderA, c.Text)
		want := "Sales"
		if c.Text == "Support has something to say" {
			want = ""
		}
		if c.Department != want {
			t.Errorf("comment %q: got department %q, want %q", c.Text, c.Department, want)
		}
		if strings.ContainsRune(c.Text, '\x07') {
			t.Errorf("comment %q keeps a control character", c.Text)
		}
	}
	for _, c := range b.Comments.List {
		orderB = append(orderB, c.Text)
	}
	if slices.Equal(orderA, orderB) {
		t.Errorf("two seeds gave the same order of 13 comments: %q", orderA)
	}
	if !slices.Equal(slices.Sorted(slices.Values(orderA)), slices.Sorted(slices.Values(orderB))) {
		t.Errorf("two seeds gave different comments: %q and %q", orderA, orderB)
	}
	if len(orderA) != 13 || !slices.Contains(orderA, hyperlink) || !slices.Contains(orderA, "Bell in the text") || !slices.Contains(orderA, "Support has something to say") {
		t.Errorf("got comments %q; want all 13, the hyperlink one as typed", orderA)
	}
	if a.Comments.Shown != 13 || a.Comments.Withheld != 0 {
		t.Errorf("got %d shown, %d withheld; want 13, 0", a.Comments.Shown, a.Comments.Withheld)
	}
}

func TestReportBeforeClose(t *testing.T) {
	f := newFixture(t, openStore(t), "Open pulse", 1)
	r := f.report(t, 1)
	js := jsonOf(t, r)
	if groups, ok := js["groups"].([]any); !ok || len(groups) != 0 {
		t.Errorf("got groups %v, want [] before the campaign closes", js["groups"])
	}
	if js["closed"] != false {
		t.Errorf("got closed %v, want false", js["closed"])
	}
	notes, _ := js["notes"].([]any)
	found := false
	for _, n := range notes {
		found = found || strings.Contains(n.(string), "still open")
	}
	if !found {
		t.Errorf("notes %v do not say why groups are missing", notes)
	}
	wantNum(t, "leadership", js["leadership"], r1(f.overall(campaign.Leadership, everyone)))
	if len(r.Comments.List) != 0 || r.Comments.Withheld != 13 {
		t.Errorf("got %d comments shown, %d withheld; want none shown, all 13 withheld before closing", len(r.Comments.List), r.Comments.Withheld)
	}
}

func TestReportWithTooFewResponses(t *testing.T) {
	ctx := t.Context()
	s := openStore(t)
	f := newFixture(t, s, "Busy", 1)
	// A second campaign over the same staff, with only four responses.
	c, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Quiet", Instrument: f.in, MinGroupSize: 5}, testKey())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.FindRecipients(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs[:4] {
		if err := s.RecordResponse(ctx, r.Token(testKey()), map[string]int{"p-l1": 5, "q-m": 1}, "only me"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CloseCampaign(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	c, _ = s.FindCampaignByID(ctx, c.ID)
	r, err := reports.Load(ctx, s, c, reports.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	js := jsonOf(t, r)
	for _, k := range []string{"leadership", "management", "balance", "quadrant"} {
		if js[k] != nil {
			t.Errorf("got %s %v from 4 responses, want null", k, js[k])
		}
	}
	for _, d := range objects(t, js["dimensions"]) {
		if d["leadership"] != nil {
			t.Errorf("dimension %v: got a score from 4 responses", d["id"])
		}
	}
	for _, it := range objects(t, js["items"]) {
		if it["mean"] != nil || it["distribution"] != nil {
			t.Errorf("item %v: got mean %v, distribution %v from 4 responses; want null", it["id"], it["mean"], it["distribution"])
		}
	}
	for _, g := range objects(t, js["groups"]) {
		if g["suppressed"] != true {
			t.Errorf("group %v %v: shown with at most 4 responses", g["column"], g["value"])
		}
	}
	if len(r.Comments.List) != 0 || r.Comments.Withheld != 4 || !strings.Contains(r.Comments.Reason, "at least 10 people have responded") {
		t.Errorf("got comments %v, %d withheld (%q) from 4 responses; want all 4 withheld until 10 have responded",
			r.Comments.List, r.Comments.Withheld, r.Comments.Reason)
	}

	path := writeWorkbook(t, r)
	book := openWorkbook(t, path)
	for _, label := range []string{"Leadership index", "Management index", "Balance"} {
		if got := raw(t, book, "Summary", cellName(2, findRow(t, book, "Summary", label))); got != "fewer than 5 responses" {
			t.Errorf("Summary, %s: got %q, want the reason it is withheld", label, got)
		}
	}
	if charts := chartParts(t, path); len(charts) != 0 {
		t.Errorf("got %d charts of withheld figures, want none", len(charts))
	}
}

func TestCompare(t *testing.T) {
	s := openStore(t)
	before := newFixture(t, s, "Spring", 1)
	before.close(t)
	// The same staff again, answering differently.
	now := newFixture(t, s, "Autumn", 2) // re-importing the same roster changes nothing
	now.close(t)

	r := now.report(t, 1)
	r.CompareWith(before.report(t, 1))
	js := jsonOf(t, r)
	cmp, ok := js["compare"].(map[string]any)
	if !ok {
		t.Fatalf("got compare %v, want an object", js["compare"])
	}
	if cmp["campaign"] != "spring" {
		t.Errorf("got compare.campaign %v, want spring", cmp["campaign"])
	}
	for i, d := range objects(t, cmp["dimensions"]) {
		id := before.in.Dimensions[i].ID
		ln, _, _ := now.poleIndex(id, campaign.Leadership, everyone)
		lb, _, _ := before.poleIndex(id, campaign.Leadership, everyone)
		l := d["leadership"].(map[string]any)
		wantNum(t, id+".leadership.now", l["now"], r1(ln))
		wantNum(t, id+".leadership.before", l["before"], r1(lb))
		wantNum(t, id+".leadership.change", l["change"], r1(r1(ln)-r1(lb)))
	}
	// Sales, Support, the grades and the locations show in both.
	var got []string
	for _, g := range objects(t, cmp["groups"]) {
		got = append(got, g["column"].(string)+"="+g["value"].(string))
		if g["value"] == "Sales" {
			m := g["management"].(map[string]any)
			in := func(gv given) bool { return gv.department == "Sales" }
			wantNum(t, "Sales.management.change", m["change"],
				r1(r1(now.overall(campaign.Management, in))-r1(before.overall(campaign.Management, in))))
		}
	}
	want := []string{"department=Sales", "department=Support", "grade=A", "grade=B", "grade=C", "location=Leeds", "location=York"}
	if !slices.Equal(got, want) {
		t.Errorf("got compared groups %v, want %v", got, want)
	}
}

// TestResponseRateOutOfDelivered: the response rate counts only the people
// still on the roster whose invitation was delivered. Three people of Sales
// leave after answering: the organisation's rate is 26 of 34, and Sales,
// with 12 answers from the 9 still there, shows 100%, not more.
func TestResponseRateOutOfDelivered(t *testing.T) {
	s := openStore(t)
	f := newFixture(t, s, "Q4 Pulse 2026", 1)
	staff, err := s.FindStaff(context.Background(), campaign.StaffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var stay []campaign.StaffMember
	for _, m := range staff {
		if m.Email != email("Sales", 0) && m.Email != email("Sales", 1) && m.Email != email("Sales", 2) {
			stay = append(stay, m)
		}
	}
	if _, err := s.ImportStaff(context.Background(), stay, campaign.ImportOptions{DeactivateMissing: true}); err != nil {
		t.Fatal(err)
	}
	f.close(t)
	js := jsonOf(t, f.report(t, 1))
	wantNum(t, "invited", js["invited"], 37)
	wantNum(t, "delivered", js["delivered"], 34)
	wantNum(t, "response_rate", js["response_rate"], r3(26.0/34))
	for _, g := range objects(t, js["groups"]) {
		if g["column"] == "department" && g["value"] == "Sales" {
			wantNum(t, "Sales.response_rate", g["response_rate"], 1)
		}
	}
}
