package e2e_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "github.com/mattn/go-sqlite3"
	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/demo"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// profile is how everyone in a department answers in this test: one value
// for every leadership statement and one for every management statement,
// so the expected figures can be worked out by hand.
type profile struct {
	invited, responding int
	leadership          int
	management          int
}

var profiles = map[string]profile{
	"Sales":   {invited: 8, responding: 8, leadership: 5, management: 1},
	"Support": {invited: 8, responding: 7, leadership: 1, management: 5},
	"Ops":     {invited: 6, responding: 5, leadership: 4, management: 4},
	"Legal":   {invited: 2, responding: 1, leadership: 3, management: 3}, // too small: pooled
}

// setup writes a roster and a config for a Mailpit server and returns the
// working folder and the survey's base URL.
func setup(t *testing.T, mp *mailpit) (dir, baseURL string) {
	t.Helper()
	dir = t.TempDir()
	var roster strings.Builder
	roster.WriteString("Email,First Name,Last Name,Department\n")
	for _, dept := range []string{"Sales", "Support", "Ops", "Legal"} {
		for i := range profiles[dept].invited {
			fmt.Fprintf(&roster, "%s%d@e2e.example,%s,Person %d,%s\n", strings.ToLower(dept), i+1, dept, i+1, dept)
		}
	}
	// One non-ASCII name, to see it encoded correctly on the way.
	text := strings.Replace(roster.String(), "sales1@e2e.example,Sales,Person 1", "sales1@e2e.example,Zoë,Ångström", 1)
	if err := os.WriteFile(filepath.Join(dir, "staff.csv"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, writeConfig(t, dir, mp, 5)
}

// writeConfig writes lvm-mail.toml in dir for a Mailpit server and a survey
// on a free port, with an anonymity threshold, and returns the survey's
// base URL.
func writeConfig(t *testing.T, dir string, mp *mailpit, minGroupSize int) (baseURL string) {
	t.Helper()
	host, port, _ := strings.Cut(mp.smtp, ":")
	listen := freeAddr(t)
	baseURL = "http://" + listen
	config := fmt.Sprintf(`organisation = "E2E Ltd"
database = "e2e.db"
base_url = %q
[smtp]
host = %q
port = %s
tls = "none"
from = "People Team <people@e2e.example>"
concurrency = 4
rate = 0
max_retries = 10
retry_backoff = "20ms"
[server]
listen = %q
[survey]
min_group_size = %d
remind_after = "0s"
`, baseURL, host, port, listen, minGroupSize)
	if err := os.WriteFile(filepath.Join(dir, "lvm-mail.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return baseURL
}

// linksByRecipient checks that every invited person got exactly one message
// with a link of their own, and returns the links by address.
func linksByRecipient(t *testing.T, mails []mail, baseURL string) map[string]string {
	t.Helper()
	links := map[string]string{}
	seen := map[string]string{}
	for _, m := range mails {
		if _, dup := links[m.To]; dup {
			t.Errorf("%s received more than one message", m.To)
		}
		link, ok := demo.LinkIn(m.Text, baseURL)
		if !ok {
			t.Errorf("the message to %s has no survey link in its text part", m.To)
			continue
		}
		if !strings.Contains(m.HTML, link) {
			t.Errorf("the HTML part to %s lacks the link of its text part", m.To)
		}
		if other, dup := seen[link]; dup {
			t.Errorf("%s and %s received the same link", m.To, other)
		}
		seen[link] = m.To
		links[m.To] = link
	}
	want := 0
	for _, p := range profiles {
		want += p.invited
	}
	if len(links) != want {
		t.Errorf("got messages for %d people, want %d", len(links), want)
	}
	return links
}

func TestEndToEnd(t *testing.T) {
	chromium := testtool.Chromium(t)
	mp := startMailpit(t)
	dir, baseURL := setup(t, mp)
	logf(t, "Mailpit SMTP at %s, API at %s; Chromium at %s", mp.smtp, mp.api, chromium)

	lvm(t, dir, "staff", "import", "staff.csv")
	lvm(t, dir, "campaign", "create", "--name", "E2E Pulse")
	// The survey runs before anything is sent, as in a real campaign: send
	// checks that base_url reaches a serve on this very database.
	start(t, binary, "--config", filepath.Join(dir, "lvm-mail.toml"), "--db", filepath.Join(dir, "e2e.db"), "serve")
	waitHTTP(t, baseURL+"/healthz")
	lvm(t, dir, "send", "--campaign", "e2e-pulse")
	mails := mp.messages(t)
	links := linksByRecipient(t, mails, baseURL)
	logf(t, "Mailpit received %d invitations, each with its own link", len(mails))
	for _, m := range mails {
		if m.To == "sales1@e2e.example" && !strings.Contains(m.Text, "Zoë") {
			t.Errorf("the message to Zoë Ångström does not greet her by name:\n%s", m.Text)
		}
	}
	if out := lvm(t, dir, "send", "--campaign", "e2e-pulse"); len(mp.messages(t)) != len(mails) {
		t.Errorf("a second send sent more messages:\n%s", out)
	}

	in := instrument.Default()
	answerInBrowser(t, chromium, links["sales1@e2e.example"], &in, profiles["Sales"])
	logf(t, "Chromium answered the survey by clicking labels and saw the thank-you page")

	ctx := context.Background()
	nonRespondents := map[string]bool{}
	for dept, p := range profiles {
		for i := range p.invited {
			addr := fmt.Sprintf("%s%d@e2e.example", strings.ToLower(dept), i+1)
			switch {
			case addr == "sales1@e2e.example":
				continue // answered in the browser
			case i >= p.responding:
				nonRespondents[addr] = true
				continue
			}
			if err := demo.Respond(ctx, http.DefaultClient, links[addr], answers(&in, p), ""); err != nil {
				t.Fatalf("%s answers: %v", addr, err)
			}
		}
	}

	mp.clear(t)
	lvm(t, dir, "remind", "--campaign", "e2e-pulse")
	reminded := map[string]bool{}
	for _, m := range mp.messages(t) {
		reminded[m.To] = true
		if link, _ := demo.LinkIn(m.Text, baseURL); link != links[m.To] {
			t.Errorf("the reminder to %s carries another link than the invitation", m.To)
		}
	}
	if fmt.Sprint(slices.Sorted(maps.Keys(reminded))) != fmt.Sprint(slices.Sorted(maps.Keys(nonRespondents))) {
		t.Errorf("reminded %v, want exactly the non-respondents %v", slices.Sorted(maps.Keys(reminded)), slices.Sorted(maps.Keys(nonRespondents)))
	}
	logf(t, "the reminder round reached exactly the %d non-respondents", len(reminded))

	lvm(t, dir, "campaign", "close", "e2e-pulse")
	resp, err := http.Get(links["support8@e2e.example"])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Errorf("a link of a closed campaign answered %s, want 410", resp.Status)
	}

	checkReport(t, dir)
}

// answers gives the profile's answer to every statement.
func answers(in *campaign.Instrument, p profile) map[string]int {
	return poleAnswers(in, p.leadership, p.management)
}

// poleAnswers answers every leadership statement with one value and every
// management statement with another.
func poleAnswers(in *campaign.Instrument, leadership, management int) map[string]int {
	out := map[string]int{}
	for _, it := range in.Items {
		out[it.ID] = leadership
		if it.Pole == campaign.Management {
			out[it.ID] = management
		}
	}
	return out
}

// answerInBrowser opens a link in Chromium, answers every statement by
// clicking its label, submits, and expects the thank-you page.
func answerInBrowser(t *testing.T, chromium, link string, in *campaign.Instrument, p profile) {
	t.Helper()
	answerIn(t, newBrowser(t, chromium, time.Minute), link, answers(in, p), `(?i)thank you`)
}

// newBrowser starts a headless Chromium for the test and returns a context
// that runs its steps until timeout.
func newBrowser(t *testing.T, chromium string, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	return ctx
}

// answerIn opens a link in the browser, gives the answers by clicking
// their labels, submits, and expects a page whose text matches thanks.
func answerIn(t *testing.T, ctx context.Context, link string, given map[string]int, thanks string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("form"))}
	for ans, value := range given {
		sel := fmt.Sprintf(`input[name=%q][value="%d"] + label`, ans, value)
		steps = append(steps, chromedp.Click(chromedp.CSS(sel)))
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("answer in Chromium: %v", err)
	}
	// RunResponse waits for the navigation the click starts (POST, then the
	// redirect to the thank-you page) to finish.
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if err != nil {
		t.Fatalf("submit in Chromium: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK || !regexp.MustCompile(thanks).MatchString(text) {
		t.Errorf("after submitting: status %d, the page says %q; want the thank-you page", resp.Status, text)
	}
}

// checkReport runs report in both formats and checks the figures against
// the ones worked out by hand from the profiles.
func checkReport(t *testing.T, dir string) {
	t.Helper()
	var rep struct {
		Invited      int
		Responded    int
		ResponseRate float64 `json:"response_rate"`
		Leadership   float64
		Management   float64
		Balance      float64
		Quadrant     string
		Dimensions   []struct {
			ID                     string
			Leadership, Management float64
			N                      int
		}
		Groups []struct {
			Column, Value          string
			Invited                int
			Responded              *int
			Suppressed             bool
			Leadership, Management *float64
		}
	}
	if err := json.Unmarshal([]byte(lvm(t, dir, "report", "--campaign", "e2e-pulse", "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	var invited, responded, sumL, sumM int
	for _, p := range profiles {
		invited += p.invited
		responded += p.responding
		sumL += p.responding * p.leadership
		sumM += p.responding * p.management
	}
	index := func(sum int) float64 { return (float64(sum)/float64(responded) - 1) / 4 * 100 }
	near := func(got, want float64) bool { return math.Abs(got-want) < 0.051 }
	if rep.Invited != invited || rep.Responded != responded {
		t.Errorf("report: invited %d responded %d, want %d and %d", rep.Invited, rep.Responded, invited, responded)
	}
	if !near(rep.Leadership, index(sumL)) || !near(rep.Management, index(sumM)) {
		t.Errorf("report: leadership %.2f management %.2f, want %.2f and %.2f", rep.Leadership, rep.Management, index(sumL), index(sumM))
	}
	for _, d := range rep.Dimensions {
		if !near(d.Leadership, index(sumL)) || d.N != responded {
			t.Errorf("dimension %s: leadership %.2f n %d, want %.2f and %d", d.ID, d.Leadership, d.N, index(sumL), responded)
		}
	}
	shown := map[string]float64{}
	for _, g := range rep.Groups {
		if g.Column != "department" {
			continue
		}
		if g.Suppressed != (g.Leadership == nil) {
			t.Errorf("group %s: suppressed %v but leadership %v", g.Value, g.Suppressed, g.Leadership)
		}
		if !g.Suppressed {
			shown[g.Value] = *g.Leadership
		}
	}
	// Legal (1 response) is pooled and hidden; Ops (5) is hidden too, or
	// Legal's figures would follow from the total minus Sales and Support.
	want := map[string]float64{"Sales": 100, "Support": 0}
	if fmt.Sprint(shown) != fmt.Sprint(want) {
		t.Errorf("shown departments and their leadership: got %v, want %v", shown, want)
	}

	out := filepath.Join(dir, "e2e.xlsx")
	lvm(t, dir, "report", "--campaign", "e2e-pulse", "--out", out)
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := strings.Join(f.GetSheetList(), ",")
	for _, s := range []string{"Summary", "Dimensions", "Groups", "Items", "Method"} {
		if !strings.Contains(sheets, s) {
			t.Errorf("the workbook has sheets %s, lacking %s", sheets, s)
		}
	}
	logf(t, "report: %d of %d responded, leadership %.1f, management %.1f, %s; workbook sheets %s",
		rep.Responded, rep.Invited, rep.Leadership, rep.Management, rep.Quadrant, sheets)
}

// TestEndToEndChaos sends a campaign through Mailpit answering many
// recipients with 451 at random, and still expects exactly one message per
// person.
func TestEndToEndChaos(t *testing.T) {
	mp := startMailpit(t, "--chaos-triggers", "Recipient:451:30")
	dir, baseURL := setup(t, mp)
	lvm(t, dir, "staff", "import", "staff.csv")
	lvm(t, dir, "campaign", "create", "--name", "Chaos")
	start(t, binary, "--config", filepath.Join(dir, "lvm-mail.toml"), "--db", filepath.Join(dir, "e2e.db"), "serve")
	waitHTTP(t, baseURL+"/healthz")
	lvm(t, dir, "send", "--campaign", "chaos")
	var st map[string]any
	if err := json.Unmarshal([]byte(lvm(t, dir, "status", "--campaign", "chaos", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st["sent"] != st["invited"] || st["failed"] != 0.0 || st["unknown"] != 0.0 {
		t.Errorf("after send through 451s: %v, want everyone sent", st)
	}
	mails := mp.messages(t)
	linksByRecipient(t, mails, baseURL)

	// The chaos must really have struck: more SMTP transactions than people.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "e2e.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var people, attempts int
	if err := db.QueryRow(`SELECT count(*), sum(attempts) FROM recipients`).Scan(&people, &attempts); err != nil {
		t.Fatal(err)
	}
	if attempts <= people {
		t.Errorf("%d attempts for %d people: Mailpit's 451s never happened, so the test proves nothing", attempts, people)
	}
	logf(t, "through Mailpit's chaos (451 on 30%% of recipients: %d SMTP attempts for %d people) each received exactly one message", attempts, people)
}
