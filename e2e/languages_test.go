package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/demo"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// speaker is how the people of one roster language are greeted, written
// to and answer in this test.
type speaker struct {
	tag        string // the roster's language column
	lang       string // the language they get
	people     int
	subject    string // the invitation's subject
	greeting   string // the start of the text part
	date       string // how the closing date reads in the text part
	thanks     string // a phrase of the thank-you page
	leadership int    // their answer to every leadership statement
	management int    // and to every management statement
}

// speakers: three people each in English, German, French and Spanish,
// and one whose tag no translation matches, who gets English.
var speakers = []speaker{
	{"en", "en", 3, "How is E2E Ltd led and managed? Your anonymous view", "Hello ", "December 2099", "Thank you", 5, 1},
	{"de", "de", 3, "Wie erleben Sie Führung und Management bei E2E Ltd? Ihre anonyme Meinung", "Guten Tag ", "Dezember 2099", "Vielen Dank", 4, 2},
	{"fr-FR", "fr", 3, "Direction et encadrement chez E2E Ltd\u00a0: votre avis anonyme", "Bonjour ", "décembre 2099", "Merci", 3, 3},
	{"es", "es", 3, "¿Cómo se dirige y gestiona E2E Ltd? Su opinión anónima", "Hola, ", "diciembre de 2099", "Gracias", 2, 4},
	{"xx", "en", 1, "How is E2E Ltd led and managed? Your anonymous view", "Hello ", "December 2099", "Thank you", 1, 5},
}

// TestEndToEndLanguages runs a campaign for a roster in four languages and
// one unknown tag through the real binary, Mailpit and Chromium: each
// person gets the email in their language, each link opens the page in it
// (lang and statements), the answers of every language pool in one report,
// and report --language de writes a German workbook.
func TestEndToEndLanguages(t *testing.T) {
	chromium := testtool.Chromium(t)
	mp := startMailpit(t)
	dir := t.TempDir()
	baseURL := writeConfig(t, dir, mp, 3)

	var roster strings.Builder
	roster.WriteString("email,name,department,language\n")
	who := map[string]speaker{} // email → their speaker
	for _, s := range speakers {
		for i := range s.people {
			addr := fmt.Sprintf("%s%d@e2e.example", strings.ToLower(s.tag), i+1)
			fmt.Fprintf(&roster, "%s,Person %s %d,Ops,%s\n", addr, s.tag, i+1, s.tag)
			who[addr] = s
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "staff.csv"), []byte(roster.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	out := lvm(t, dir, "staff", "import", "staff.csv")
	if !strings.Contains(out, "1 person has a language the built-in survey is not translated into") || !strings.Contains(out, "line 14 (xx, not a known language tag)") {
		t.Errorf("staff import said:\n%s", out)
	}
	out = lvm(t, dir, "campaign", "create", "--name", "Babel", "--closes", "2099-12-18", "--breakdown", "language")
	if !strings.Contains(out, "Languages: en 4, de 3, fr 3, es 3.") {
		t.Errorf("campaign create said:\n%s", out)
	}
	start(t, binary, "--config", filepath.Join(dir, "lvm-mail.toml"), "--db", filepath.Join(dir, "e2e.db"), "serve")
	waitHTTP(t, baseURL+"/healthz")
	lvm(t, dir, "send", "--campaign", "babel")

	// Each person receives the email in their language.
	mails := mp.messages(t)
	links := map[string]string{}
	for _, m := range mails {
		s, ok := who[m.To]
		if !ok {
			t.Errorf("a message to %s, who is not on the roster", m.To)
			continue
		}
		if m.Subject != s.subject {
			t.Errorf("%s (%s): subject %q, want %q", m.To, s.tag, m.Subject, s.subject)
		}
		if !strings.HasPrefix(m.Text, s.greeting) || !strings.Contains(m.Text, s.date) {
			t.Errorf("%s (%s): the text does not start with %q or lacks the date %q:\n%s", m.To, s.tag, s.greeting, s.date, m.Text)
		}
		if !strings.Contains(m.HTML, `<html lang="`+s.lang+`">`) {
			t.Errorf("%s (%s): the HTML part is not marked %s", m.To, s.tag, s.lang)
		}
		link, ok := demo.LinkIn(m.Text, baseURL)
		if !ok {
			t.Fatalf("%s: no link in the text part", m.To)
		}
		links[m.To] = link
	}
	if len(links) != len(who) {
		t.Fatalf("messages for %d people, want %d", len(links), len(who))
	}
	logf(t, "Mailpit received %d invitations, each in its person's language", len(mails))

	// Each person's link opens the page in their language: Chromium reads
	// <html lang> and the statements, which are the right translation's.
	ctx := newBrowser(t, chromium, 3*time.Minute)
	def := instrument.Default()
	answered := map[string]bool{} // one person of each language answers in the browser
	for _, addr := range slices.Sorted(maps.Keys(links)) {
		s := who[addr]
		tr := def.Translated(s.lang)
		if err := chromedp.Do(ctx, chromedp.Navigate(links[addr]), chromedp.WaitVisible(chromedp.CSS("form"))); err != nil {
			t.Fatal(err)
		}
		lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil || lang != s.lang {
			t.Errorf("%s (%s): the page is in %q (%v), want %s", addr, s.tag, lang, err, s.lang)
		}
		legends, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("fieldset.item legend")].map(l => l.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, it := range tr.Items {
			want[it.Text] = true
		}
		for _, l := range legends {
			if !want[l] {
				t.Errorf("%s (%s): the statement %q is not of the %s translation", addr, s.tag, l, s.lang)
			}
		}
		if len(legends) != len(tr.Items) {
			t.Errorf("%s: %d statements on the page, want %d", addr, len(legends), len(tr.Items))
		}
		given := poleAnswers(&def, s.leadership, s.management)
		if !answered[s.tag] {
			answered[s.tag] = true
			answerIn(t, ctx, links[addr], given, s.thanks)
			continue
		}
		if err := demo.Respond(context.Background(), http.DefaultClient, links[addr], given, ""); err != nil {
			t.Fatalf("%s answers: %v", addr, err)
		}
	}
	logf(t, "Chromium opened %d links, each in its person's language, and answered %d of them", len(links), len(answered))

	lvm(t, dir, "campaign", "close", "babel")
	checkPooled(t, dir, &def)
	checkGermanWorkbook(t, dir, &def)
}

// checkPooled reads the report as JSON: every response counts, in every
// language, under the same item ids, and the language is a breakdown.
func checkPooled(t *testing.T, dir string, in *campaign.Instrument) {
	t.Helper()
	var rep struct {
		Language  string
		Responded int
		Items     []struct {
			ID, Text string
			Pole     campaign.Pole
			N        int
			Mean     float64
		}
		Groups []struct {
			Column, Value string
			Responded     *int
		}
	}
	if err := json.Unmarshal([]byte(lvm(t, dir, "report", "--campaign", "babel", "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	n, sumL, sumM := 0, 0, 0
	for _, s := range speakers {
		n += s.people
		sumL += s.people * s.leadership
		sumM += s.people * s.management
	}
	if rep.Responded != n || rep.Language != "en" {
		t.Errorf("report: %d responded, in %q; want %d, in en", rep.Responded, rep.Language, n)
	}
	for i, it := range rep.Items {
		want := float64(sumL) / float64(n)
		if it.Pole == campaign.Management {
			want = float64(sumM) / float64(n)
		}
		if it.ID != in.Items[i].ID || it.Text != in.Items[i].Text || it.N != n || math.Abs(it.Mean-want) > 0.006 {
			t.Errorf("item %s: n %d, mean %.2f; want every language's %d answers pooled, mean %.2f", it.ID, it.N, it.Mean, n, want)
		}
	}
	// The language is a breakdown like any other column: a group per tag
	// (the one person of xx pooled), shown where the anonymity rules let.
	languages := map[string]int{}
	var groups []string
	for _, g := range rep.Groups {
		if g.Column != campaign.ColumnLanguage {
			continue
		}
		groups = append(groups, g.Value)
		if g.Responded != nil {
			languages[g.Value] = *g.Responded
		}
	}
	if want := []string{"de", "en", "es", "fr-FR", campaign.PooledGroup}; !slices.Equal(groups, want) || len(languages) < 3 {
		t.Errorf("language groups %q, shown %v; want %q, most of them shown", groups, languages, want)
	}
	logf(t, "report: %d responses pooled over en, de, fr, es and xx; language groups shown %v", rep.Responded, languages)
}

// checkGermanWorkbook writes report --language de and reads it back: German
// sheet titles and German statements.
func checkGermanWorkbook(t *testing.T, dir string, in *campaign.Instrument) {
	t.Helper()
	path := filepath.Join(dir, "bericht.xlsx")
	lvm(t, dir, "report", "--campaign", "babel", "--language", "de", "--out", path)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Zusammenfassung", "Gruppen", "Gruppen nach Dimension", "Dimensionen", "Aussagen", "Kommentare", "Methode"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	de := in.Translated("de")
	if got, _ := f.GetCellValue("Zusammenfassung", "A1"); got != de.Title+": Babel" {
		t.Errorf("Zusammenfassung A1: %q", got)
	}
	if got, _ := f.GetCellValue("Aussagen", "A1"); got != "Aussagen" {
		t.Errorf("Aussagen A1: %q", got)
	}
	for i, it := range de.Items {
		if got, _ := f.GetCellValue("Aussagen", fmt.Sprintf("A%d", 4+i)); got != it.Text {
			t.Errorf("Aussagen A%d: %q, want %q", 4+i, got, it.Text)
		}
	}
	logf(t, "report --language de: sheets %s", strings.Join(f.GetSheetList(), ", "))
}
