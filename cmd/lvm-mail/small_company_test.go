package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// A smallDept is a department of the 32-person company: how many it
// invites and how many answer, how its people lean (mean answers to
// leadership and to management statements), and the statements some of
// them skip.
type smallDept struct {
	name               string
	invited, responded int
	lean               [2]float64
	skip               map[int][]string // person → item ids they leave out
}

// smallCompany is the company of issue 11, where a report used to give
// almost nothing: Customer Service answers 6 of 6 and Warehouse 5 of 10,
// and a few skipped statements drop a dimension of each below 5 answers;
// Sales answers 9 of 9; Finance (4) and Admin (3) invite too few to stand
// alone and are pooled, all 7 answering. 27 answer in all, no department
// 10.
var smallCompany = []smallDept{
	{"Customer Service", 6, 6, [2]float64{3.2, 3.0}, map[int][]string{0: {"coaching-l"}, 1: {"coaching-l", "ideas-m"}}},
	{"Warehouse", 10, 5, [2]float64{1.9, 4.4}, map[int][]string{2: {"trust-m"}}},
	{"Sales", 9, 9, [2]float64{4.4, 2.0}, map[int][]string{3: {"focus-m"}}},
	{"Finance", 4, 4, [2]float64{3.0, 3.5}, nil},
	{"Admin", 3, 3, [2]float64{3.0, 3.0}, nil},
}

// smallNames are the people of the company, in order; among them a Jürgen
// Müller to be named in a comment and a Will, whose name is a word.
var smallNames = []string{"Jürgen Müller", "Will Turner", "Amara Okafor", "Ben Castillo", "Chloé Dubois", "Dmitri Ivanov",
	"Elif Yilmaz", "Femi Adeyemi", "Grace Hughes", "Hamza Patel", "Ines García", "Jonas Fischer", "Kaito Tanaka", "Lena Björk",
	"Mateo Rossi", "Nadia Varga", "Oskar Lindqvist", "Priya Nakamura", "Quentin Schmidt", "Rosa Kowalski", "Sven Eriksen",
	"Tamsin Quinn", "Uma Zhou", "Viktor Umarov", "Wen Xu", "Xavier Jansen", "Yara Wójcik", "Zoë Hughes", "Ada Lovelace",
	"Bruno Silva", "Cleo Martin", "Dara Byrne"}

// The comments the tests follow from the form to the workbook.
var smallComments = map[string]string{
	"Ask Jürgen Müller about the rota; he decides.":                   "Ask [name] about the rota; he decides.",
	"ask jurgen, he knows why":                                        "ask [name], he knows why",
	"Write to jurgen.mueller@example.com or call +44 20 7946 0958.":   "Write to [email] or call [phone].",
	"We will get there if we are told why things change.":             "We will get there if we are told why things change.",
	"More say in how the shifts are planned, please.":                 "More say in how the shifts are planned, please.",
	"=HYPERLINK(\"http://evil.example\",\"x\") is not a formula here": "=HYPERLINK(\"http://evil.example\",\"x\") is not a formula here",
}

// TestSmallCompany runs the 32-person company through the real commands:
// staff import, campaign create, send (to a loopback SMTP server), answers
// posted to serve (with skipped statements and comments), campaign close,
// and report as JSON and as a workbook.
func TestSmallCompany(t *testing.T) {
	c, _ := newMailShell(t, smtptest.Options{}, "")
	var roster strings.Builder
	roster.WriteString("name,email,department\n")
	person := 0
	for _, d := range smallCompany {
		for range d.invited {
			fmt.Fprintf(&roster, "%s,p%02d@small.example,%s\n", smallNames[person], person, d.name)
			person++
		}
	}
	c.ok("staff", "import", c.write("staff.csv", roster.String()))
	c.ok("campaign", "create", "--name", "Northwind pulse 2026 (spring)")
	const slug = "northwind-pulse-2026-spring"
	c.ok("send", "--campaign", slug)

	tokens := c.tokensOf(slug)
	srv := startServe(t, c, "--listen", "127.0.0.1:0")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rng := rand.New(rand.NewPCG(32, 11))
	items := instrument.Default().Items
	comments := slices.Sorted(func(yield func(string) bool) {
		for k := range smallComments {
			if !yield(k) {
				return
			}
		}
	})
	person = 0
	for _, d := range smallCompany {
		for i := range d.invited {
			email := fmt.Sprintf("p%02d@small.example", person)
			person++
			if i >= d.responded {
				continue
			}
			form := url.Values{}
			for _, it := range items {
				if slices.Contains(d.skip[i], it.ID) {
					continue
				}
				lean := d.lean[0]
				if it.Pole == campaign.Management {
					lean = d.lean[1]
				}
				form.Set(it.ID, fmt.Sprint(min(5, max(1, int(math.Round(lean+rng.NormFloat64()*0.7))))))
			}
			if len(comments) > 0 && i%2 == 0 {
				form.Set("comment", comments[0])
				comments = comments[1:]
			}
			resp, err := client.PostForm("http://"+srv.addr+"/s/"+tokens[email], form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: POST got %d, want 303", email, resp.StatusCode)
			}
		}
	}
	if len(comments) != 0 {
		t.Fatalf("%d comments were not sent", len(comments))
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	c.ok("campaign", "close", slug)

	out := c.ok("report", "--campaign", slug, "--format", "json")
	js := reportJSON(t, out)
	type group struct {
		Column, Value                   string
		Responded                       *float64
		Suppressed                      bool
		Leadership, Management, Balance *float64
		LeadershipCI                    *[2]float64 `json:"leadership_ci95"`
		ManagementCI                    *[2]float64 `json:"management_ci95"`
		BalanceCI                       *[2]float64 `json:"balance_ci95"`
		Differs                         string
		Dimensions                      []struct{ Leadership, Management *float64 }
	}
	var rep struct{ Groups []group }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	xlsx := c.path("report.xlsx")
	c.ok("report", "--campaign", slug, "--out", xlsx)
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if js["responded"] != 27.0 || js["invited"] != 32.0 || js["delivered"] != 32.0 {
		t.Fatalf("got %v of %v responding, %v delivered; want 27 of 32, all delivered", js["responded"], js["invited"], js["delivered"])
	}

	t.Run("EveryDepartmentWithFiveHasItsIndices", func(t *testing.T) {
		rows, err := f.GetRows("Groups")
		if err != nil {
			t.Fatal(err)
		}
		withheld := 0
		for _, g := range rep.Groups {
			if g.Column != "department" {
				continue
			}
			if g.Responded == nil || *g.Responded < 5 {
				t.Errorf("%v: got %v responses, want at least 5", g.Value, g.Responded)
				continue
			}
			for key, v := range map[string]*float64{"leadership": g.Leadership, "management": g.Management, "balance": g.Balance} {
				if v == nil {
					t.Errorf("%v: JSON %s is null, want a number", g.Value, key)
				}
			}
			for key, ci := range map[string]*[2]float64{"leadership": g.LeadershipCI, "management": g.ManagementCI, "balance": g.BalanceCI} {
				if ci == nil {
					t.Errorf("%v: JSON %s_ci95 is null, want [low, high]", g.Value, key)
				}
			}
			if g.Differs == "" {
				t.Errorf("%v: no verdict against the rest", g.Value)
			}
			row := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 1 && r[0] == "Department" && r[1] == g.Value })
			if row < 0 {
				t.Fatalf("no row for %v on the Groups sheet", g.Value)
			}
			for _, col := range []int{5, 7, 9} { // leadership, management, balance
				cell, _ := excelize.CoordinatesToCellName(col, row+1)
				if typ, _ := f.GetCellType("Groups", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Errorf("%v: Groups!%s is not a number", g.Value, cell)
				}
				if v, _ := f.GetCellValue("Groups", cell); v == "" {
					t.Errorf("%v: Groups!%s is empty", g.Value, cell)
				}
			}
			for _, gd := range g.Dimensions {
				if gd.Leadership == nil || gd.Management == nil {
					withheld++
				}
			}
		}
		// The skipped statements still withhold single cells, and no more
		// than the few the threshold and its protection need.
		if withheld == 0 || withheld > 4 {
			t.Errorf("got %d withheld dimension cells, want a few (1 to 4)", withheld)
		}
	})

	t.Run("CommentsForTheOrganisation", func(t *testing.T) {
		rows, err := f.GetRows("Comments")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows[3:] {
			if len(r) == 0 || r[0] == "" {
				continue
			}
			got = append(got, r[0])
			if len(r) > 1 && r[1] != "" {
				t.Errorf("comment %q is labelled %q, but no department has 10 responses", r[0], r[1])
			}
		}
		var want []string
		for _, scrubbed := range smallComments {
			want = append(want, scrubbed)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("got comments\n%q\nwant, names, addresses and numbers replaced,\n%q", got, want)
		}
		// The database keeps what was written.
		s, err := campaign.Open(context.Background(), c.path("lvm-mail.db"), campaign.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		camp, err := s.FindCampaign(context.Background(), slug)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.FindComments(context.Background(), camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, cm := range stored {
			texts = append(texts, cm.Text)
		}
		if !slices.Contains(texts, "Ask Jürgen Müller about the rota; he decides.") {
			t.Errorf("the database does not keep the comment as written: %q", texts)
		}
	})

	t.Run("SummaryNamesWhoDiffers", func(t *testing.T) {
		var shown []group
		for _, g := range rep.Groups {
			if !g.Suppressed {
				shown = append(shown, g)
			}
		}
		byBalance := func(a, b group) int { return cmp.Compare(*a.Balance, *b.Balance) }
		high, low := slices.MaxFunc(shown, byBalance), slices.MinFunc(shown, byBalance)
		if high.Value != "Sales" || low.Value != "Warehouse" {
			t.Errorf("got %v highest and %v lowest, want Sales and Warehouse, as the company leans", high.Value, low.Value)
		}
		rows, err := f.GetRows("Summary")
		if err != nil {
			t.Fatal(err)
		}
		find := func(label string) []string {
			for _, r := range rows {
				if len(r) > 0 && r[0] == label {
					return r
				}
			}
			t.Fatalf("the Summary has no row %q", label)
			return nil
		}
		for label, g := range map[string]group{"Leans most to leading": high, "Leans most to managing": low} {
			r := find(label)
			if len(r) < 6 || r[1] != "Department: "+g.Value || !strings.Contains(r[5], g.Differs) && g.Differs != "no clear difference" {
				t.Errorf("Summary %q: got %q, want %v with its verdict %v", label, r, g.Value, g.Differs)
			}
		}
		if got := find("Campaign"); len(got) < 2 || got[1] != "Northwind pulse 2026 (spring) ("+slug+")" {
			t.Errorf("Summary campaign: got %q, want the name in full", got)
		}
	})

	t.Run("AsPrinted", func(t *testing.T) {
		renderWorkbook(t, xlsx, "Northwind pulse 2026 (spring)", []string{"Sales", "Warehouse", "Customer Service"})
	})
}
