package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// multilingual is a roster in four languages, with a Swiss German, a tag
// no campaign speaks and one that is no tag at all.
const multilingual = "email,name,department,language\n" +
	"ann@x.test,Ann,Sales,en\n" +
	"bea@x.test,Bea,Sales,de-CH\n" +
	"cle@x.test,Clé,Sales,fr\n" +
	"dan@x.test,Dan,Sales,es\n" +
	"eve@x.test,Eve,Sales,\n" +
	"fin@x.test,Fin,Sales,pt-BR\n" +
	"gus@x.test,Gus,Sales,Klingon!\n"

// TestStaffLanguages: an import names the people whose language the
// built-in survey does not speak, by line, without refusing them; staff
// list shows everyone's language.
func TestStaffLanguages(t *testing.T) {
	c := newShell(t)
	out := c.ok("staff", "import", c.write("staff.csv", multilingual))
	if !strings.Contains(out, "7 added") {
		t.Errorf("import said %q", out)
	}
	want := `2 people have a language the built-in survey is not translated into (it speaks en, de, fr, es): they will get en, ` +
		`the default language, unless their campaign has a translation into theirs (campaign create --translation FILE). ` +
		`See lines 7 (pt-BR), 8 (Klingon!, not a known language tag).`
	if !strings.Contains(out, want) {
		t.Errorf("import said:\n%s\nwant:\n%s", out, want)
	}
	list := c.ok("staff", "list")
	for _, re := range []string{`(?m)^EMAIL +NAME +DEPARTMENT +LANGUAGE +OTHER +ACTIVE$`, `(?m)^bea@x\.test +Bea +Sales +de-CH +yes$`,
		`(?m)^eve@x\.test +Eve +Sales +- +yes$`} {
		if !regexp.MustCompile(re).MatchString(list) {
			t.Errorf("staff list does not match %s:\n%s", re, list)
		}
	}
	if strings.Contains(list, "language=") {
		t.Errorf("staff list shows the language among the other columns too:\n%s", list)
	}

	c.write("lvm-mail.toml", "database = \""+c.path("lvm-mail.db")+"\"\n[survey]\ndefault_language = \"pt-BR\"\n")
	if out := c.ok("staff", "import", c.write("staff.csv", multilingual)); !strings.Contains(out, "they will get pt-BR") {
		t.Errorf("with default_language pt-BR the import said %q", out)
	}
}

// TestCampaignLanguages: a campaign says in which language each invitee
// answers, and who gets the default for want of a translation.
func TestCampaignLanguages(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", multilingual))
	out := c.ok("campaign", "create", "--name", "Q4")
	for _, want := range []string{"Languages: en 4, de 1, fr 1, es 1.",
		"2 people have a language this campaign has no translation into (Klingon!, pt-BR): they get en, the default language."} {
		if !strings.Contains(out, want) {
			t.Errorf("create said:\n%s\nwant %q", out, want)
		}
	}

	// A translation into Portuguese of a campaign's own survey.
	survey := c.write("mini.toml", miniSurvey)
	pt := c.write("mini.pt.toml", miniPortuguese)
	out = c.ok("campaign", "create", "--name", "Mini", "--survey", survey, "--translation", pt)
	if !strings.Contains(out, "Languages: en 6, pt-BR 1.") || !strings.Contains(out, "(Klingon!, de-CH, es, fr): they get en") ||
		!strings.Contains(out, "The survey page's own words (the promise, the answers to choose from, the buttons) are not in pt-BR: "+
			"people answering in pt-BR read the statements in pt-BR and those words in en.") {
		t.Errorf("create with a translation said:\n%s", out)
	}
}

// TestBrokenTranslationsCreateNothing: every broken translation file is
// named with its problems, and no campaign is created.
func TestBrokenTranslationsCreateNothing(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", multilingual))
	survey := c.write("mini.toml", miniSurvey)
	missing := c.write("missing.toml", strings.Replace(miniPortuguese, "[[item]]\nid = \"d-m\"\ntext = \"Sistemas.\"\n", "", 1))
	badTag := c.write("badtag.toml", strings.Replace(miniPortuguese, `"pt-BR"`, `"portuguese"`, 1))
	errOut := c.fails(1, "campaign", "create", "--name", "Mini", "--survey", survey, "--translation", missing, "--translation", badTag)
	for _, want := range []string{missing + `: item "d-m": missing`, badTag + `: language: "portuguese" is not a BCP 47 language tag`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("got:\n%s\nwant it to name %q", errOut, want)
		}
	}
	if strings.Contains(c.ok("campaign", "list"), "mini") {
		t.Error("a campaign was created with broken translations")
	}

	c.write("lvm-mail.toml", "database = \""+c.path("lvm-mail.db")+"\"\n[survey]\ndefault_language = \"it\"\n")
	errOut = c.fails(1, "campaign", "create", "--name", "Italiano")
	if !strings.Contains(errOut, `survey.default_language is "it", but this survey is in en, de, fr, es only`) {
		t.Errorf("a default language the survey does not speak: got %q", errOut)
	}
}

// miniSurvey is a survey of one dimension and two statements.
const miniSurvey = `title = "Mini"
[[dimension]]
id = "d"
name = "D"
[[item]]
id = "d-l"
dimension = "d"
pole = "leadership"
text = "L"
[[item]]
id = "d-m"
dimension = "d"
pole = "management"
text = "M"
`

// miniPortuguese translates miniSurvey into Brazilian Portuguese.
const miniPortuguese = `language = "pt-BR"
title = "Mini"
[[dimension]]
id = "d"
name = "D"
[[item]]
id = "d-l"
text = "Pessoas."
[[item]]
id = "d-m"
text = "Sistemas."
`

// TestPreviewAndDryRunLanguages: preview shows a person's email in their
// language, or in the one asked for, and says which; a language without
// templates of its own gets the default's, and preview and send --dry-run
// say so.
func TestPreviewAndDryRunLanguages(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	dir := c.path("tpl")
	copyTemplates(t, dir, func(_ string, b []byte) []byte { return b })
	if err := os.RemoveAll(filepath.Join(dir, "es")); err != nil {
		t.Fatal(err)
	}
	c.write("lvm-mail.toml", fmt.Sprintf("templates_dir = %q\n", dir)+mustRead(t, c.path("lvm-mail.toml")))
	c.ok("staff", "import", c.write("staff.csv", multilingual))
	c.ok("campaign", "create", "--name", "Big")

	out := c.ok("preview", "--campaign", "big", "--recipient", "bea@x.test")
	for _, want := range []string{"Language: de (this person's language in the campaign, for de-CH on the roster).",
		"Subject: Wie erleben Sie Führung und Management bei Mail Test Ltd? Ihre anonyme Meinung", "Guten Tag Bea,"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview of a Swiss German lacks %q:\n%s", want, out)
		}
	}
	out = c.ok("preview", "--campaign", "big", "--recipient", "dan@x.test")
	for _, want := range []string{"Language: es, this person's language in the campaign, has no email templates of its own, " +
		"so this is the en text of the default language, as people in es will get it", "Subject: How is Mail Test Ltd led and managed?"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview of a Spanish speaker without Spanish templates lacks %q:\n%s", want, out)
		}
	}
	out = c.ok("preview", "--campaign", "big", "--recipient", "ann@x.test", "--language", "fr", "--reminder")
	for _, want := range []string{"Language: fr (the language asked for).", "Subject: Rappel\u00a0: votre avis anonyme", "Bonjour Ann,"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview --language fr lacks %q:\n%s", want, out)
		}
	}
	if errOut := c.fails(2, "preview", "--campaign", "big", "--language", "it"); !strings.Contains(errOut, "--language it: campaign big is in en, de, fr, es") {
		t.Errorf("preview --language it: %s", errOut)
	}

	out = c.ok("send", "--campaign", "big", "--dry-run")
	for _, want := range []string{"Languages: en 4, de 1, fr 1, es 1.",
		"Emails to the 1 person in es use the en templates: there are none in es (add the folder es/ to templates_dir)."} {
		if !strings.Contains(out, want) {
			t.Errorf("send --dry-run lacks %q:\n%s", want, out)
		}
	}
	if srv.Stats().Connections != 0 {
		t.Error("a preview or a dry run connected to the mail server")
	}
}

// TestReportLanguage: report --language writes the workbook and the JSON
// in that language; the default is survey.default_language; a language the
// campaign does not have is a usage error.
func TestReportLanguage(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", multilingual))
	c.ok("campaign", "create", "--name", "Q4")

	out := c.ok("report", "--campaign", "q4", "--language", "de-AT", "--out", c.path("de.xlsx"))
	if !strings.Contains(out, "in de.") {
		t.Errorf("report said %q", out)
	}
	book, err := excelize.OpenFile(c.path("de.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if got := book.GetSheetList(); len(got) == 0 || got[0] != "Zusammenfassung" || got[len(got)-1] != "Methode" {
		t.Errorf("sheets %q", got)
	}
	title, _ := book.GetCellValue("Zusammenfassung", "A1")
	if title != "Führung und Management bei uns: Q4" {
		t.Errorf("title %q", title)
	}

	var rep struct {
		Language   string
		Dimensions []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(c.ok("report", "--campaign", "q4", "--format", "json", "--language", "es")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Language != "es" || len(rep.Dimensions) == 0 || rep.Dimensions[0].Name != "Personas o sistemas" {
		t.Errorf("JSON in Spanish: %+v", rep)
	}
	c.write("lvm-mail.toml", "database = \""+c.path("lvm-mail.db")+"\"\n[survey]\ndefault_language = \"fr\"\n")
	if err := json.Unmarshal([]byte(c.ok("report", "--campaign", "q4", "--format", "json")), &rep); err != nil || rep.Language != "fr" {
		t.Errorf("with survey.default_language fr: %q, %v", rep.Language, err)
	}
	if errOut := c.fails(2, "report", "--campaign", "q4", "--language", "it"); !strings.Contains(errOut, "--language it: campaign q4 is in en, de, fr, es") {
		t.Errorf("report --language it: %s", errOut)
	}
}
