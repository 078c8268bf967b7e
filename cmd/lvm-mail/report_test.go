package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// answerAll records a response for every recipient of the campaign, with
// answers that depend on the person, through the store as serve would.
func (c *shell) answerAll(slug string) {
	c.t.Helper()
	ctx := context.Background()
	s, err := campaign.Open(ctx, c.path("lvm-mail.db"), campaign.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	defer s.Close()
	key, err := campaign.LoadTokenKey(c.path("lvm-mail.db.key"), false, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	camp, err := s.FindCampaign(ctx, slug)
	if err != nil {
		c.t.Fatal(err)
	}
	rs, err := s.FindRecipients(ctx, camp.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	for i, r := range rs {
		answers := map[string]int{}
		for j, it := range camp.Instrument.Items {
			answers[it.ID] = 1 + (i+j)%5
		}
		if err := s.RecordResponse(ctx, r.Token(key), answers, fmt.Sprintf("=cmd|' /C calc'!A0 %d", i)); err != nil {
			c.t.Fatal(err)
		}
	}
}

func reportShell(t *testing.T) *shell {
	t.Helper()
	c := newShell(t)
	var people []campaign.StaffMember
	for i := range 12 {
		people = append(people, person(fmt.Sprintf("s%d@x.test", i), "Sales"))
	}
	for i := range 6 {
		people = append(people, person(fmt.Sprintf("u%d@x.test", i), "Support"))
	}
	c.importStaff(people...)
	c.ok("campaign", "create", "--name", "Pulse")
	c.answerAll("pulse")
	return c
}

func reportJSON(t *testing.T, text string) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("report --format json printed something that is not JSON: %v\n%s", err, text)
	}
	return out
}

func TestReportCommand(t *testing.T) {
	c := reportShell(t)

	js := reportJSON(t, c.ok("report", "--campaign", "pulse", "--format", "json"))
	if js["campaign"] != "pulse" || js["responded"] != 18.0 || js["closed"] != false {
		t.Errorf("got campaign %v, responded %v, closed %v; want pulse, 18, false", js["campaign"], js["responded"], js["closed"])
	}
	if g, _ := js["groups"].([]any); g == nil || len(g) != 0 {
		t.Errorf("got groups %v before closing, want []", js["groups"])
	}
	if _, ok := js["leadership"].(float64); !ok {
		t.Errorf("got leadership %v, want a number", js["leadership"])
	}

	c.ok("campaign", "close", "pulse")
	out := c.ok("report", "--campaign", "pulse", "--out", c.path("results.xlsx"))
	if !strings.Contains(out, "results.xlsx") || !strings.Contains(out, "18 of 18") {
		t.Errorf("report said %q", out)
	}
	f, err := excelize.OpenFile(c.path("results.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 7 || got[0] != "Summary" || got[1] != "Groups" {
		t.Errorf("got sheets %v", got)
	}
	rows, err := f.GetRows("Groups")
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, r := range rows[4:] {
		if len(r) > 1 && r[0] == "Department" {
			groups = append(groups, r[1])
		}
	}
	if strings.Join(groups, ",") != "Sales,Support" {
		t.Errorf("got departments %v on the Groups sheet, want Sales and Support", groups)
	}

	c.ok("report", "--campaign", "pulse", "--out", c.path("results.json"))
	js = reportJSON(t, mustRead(t, c.path("results.json")))
	if g, _ := js["groups"].([]any); len(g) != 2 || js["closed"] != true {
		t.Errorf("after closing: got %d groups, closed %v; want 2, true", len(g), js["closed"])
	}

	t.Chdir(c.dir)
	c.ok("report", "--campaign", "pulse")
	if _, err := os.Stat(c.path("pulse.xlsx")); err != nil {
		t.Errorf("report without --out: %v; want pulse.xlsx", err)
	}
}

func TestReportCompare(t *testing.T) {
	c := reportShell(t)
	c.ok("campaign", "close", "pulse")
	c.ok("campaign", "create", "--name", "Later")
	c.answerAll("later")
	c.ok("campaign", "close", "later")
	js := reportJSON(t, c.ok("report", "--campaign", "later", "--compare", "pulse", "--format", "json"))
	cmp, ok := js["compare"].(map[string]any)
	if !ok || cmp["campaign"] != "pulse" {
		t.Fatalf("got compare %v, want a comparison with pulse", js["compare"])
	}
	if d, _ := cmp["dimensions"].([]any); len(d) != 10 {
		t.Errorf("got %d compared dimensions, want the default instrument's 10", len(d))
	}
}

func TestReportUsage(t *testing.T) {
	c := reportShell(t)
	for _, args := range [][]string{
		{"report"},
		{"report", "--campaign", "pulse", "--format", "csv"},
		{"report", "--campaign", "pulse", "--compare", "pulse"},
		{"report", "--campaign", "pulse", "extra"},
	} {
		errOut := c.fails(2, args...)
		if !strings.HasPrefix(errOut, "lvm-mail: ") {
			t.Errorf("lvm-mail %s: stderr %q does not say what was wrong", strings.Join(args, " "), errOut)
		}
	}
	if errOut := c.fails(1, "report", "--campaign", "nope"); !strings.Contains(errOut, "campaign list") {
		t.Errorf("unknown campaign: got %q, want a hint", errOut)
	}
	if out := c.ok("report", "--help"); !strings.Contains(out, "--compare") {
		t.Errorf("report --help lacks --compare:\n%s", out)
	}
}
