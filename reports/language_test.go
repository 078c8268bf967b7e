package reports_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/reports"
)

// TestReportInGerman: report --language de writes the same figures, with
// German dimension names, statements and notes, and a German workbook:
// sheet names, headings and statements.
func TestReportInGerman(t *testing.T) {
	fx := newFixture(t, openStore(t), "Q4 Pulse 2026", 1)
	fx.close(t)
	en, de := fx.reportIn(t, 1, ""), fx.reportIn(t, 1, "de-CH")
	if en.Language != "en" || de.Language != "de" {
		t.Fatalf("languages %q and %q, want en (the default) and de (de-CH along its tag)", en.Language, de.Language)
	}
	je, jd := jsonOf(t, en), jsonOf(t, de)
	if jd["language"] != "de" || jd["title"] != "Führung und Management bei uns" {
		t.Errorf("JSON language %v, title %v", jd["language"], jd["title"])
	}
	for _, key := range []string{"responded", "leadership", "management", "balance", "quadrant", "leadership_ci95"} {
		if a, b := je[key], jd[key]; !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %v in English, %v in German: the figures must not depend on the language", key, a, b)
		}
	}
	tr := fx.in.Translated("de")
	for i, d := range objects(t, jd["dimensions"]) {
		if d["name"] != tr.Dimensions[i].Name || d["id"] != tr.Dimensions[i].ID {
			t.Errorf("dimension %d: %v %q, want %s %q", i, d["id"], d["name"], tr.Dimensions[i].ID, tr.Dimensions[i].Name)
		}
	}
	for i, it := range objects(t, jd["items"]) {
		if it["text"] != tr.Items[i].Text || it["mean"] != objects(t, je["items"])[i]["mean"] {
			t.Errorf("item %s: %q, mean %v; want the German %q and the English report's mean", it["id"], it["text"], it["mean"], tr.Items[i].Text)
		}
	}
	for _, g := range objects(t, jd["groups"]) {
		if r, ok := g["reason"].(string); ok && !strings.HasPrefix(r, "weniger als") && !strings.HasPrefix(r, "verborgen") {
			t.Errorf("a German group's reason is %q", r)
		}
		if d := g["differs"]; d != nil && d != reports.MoreLeadership && d != reports.MoreManagement && d != reports.NoClearDifference {
			t.Errorf("differs %q: the JSON keeps its values, whatever the language", d)
		}
	}

	f := openWorkbook(t, writeWorkbook(t, de))
	want := []string{"Zusammenfassung", "Gruppen", "Gruppen nach Dimension", "Dimensionen", "Aussagen", "Kommentare", "Methode"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if got := raw(t, f, "Zusammenfassung", "A1"); got != "Führung und Management bei uns: Q4 Pulse 2026" {
		t.Errorf("Summary title %q", got)
	}
	for _, label := range []string{"Umfrage", "Stand", "Eingeladen", "Zugestellt", "Geantwortet", "Rücklaufquote", "Führungsindex", "Managementindex", "Gesamtbild"} {
		findRow(t, f, "Zusammenfassung", label)
	}
	for i, it := range tr.Items {
		if got := raw(t, f, "Aussagen", cellName(1, 4+i)); got != it.Text {
			t.Errorf("Aussagen row %d: %q, want the German statement %q", 4+i, got, it.Text)
		}
		if got := raw(t, f, "Aussagen", cellName(3, 4+i)); got != map[campaign.Pole]string{campaign.Leadership: "Führung", campaign.Management: "Management"}[it.Pole] {
			t.Errorf("Aussagen row %d: side %q", 4+i, got)
		}
	}
	if got := raw(t, f, "Dimensionen", "A4"); got != "Menschen oder Systeme" {
		t.Errorf("Dimensionen A4: %q", got)
	}
	if got := raw(t, f, "Aussagen", "H3"); got != "Stimme überhaupt nicht zu" {
		t.Errorf("the first answer's heading: %q", got)
	}
	// No cell shows a catalog key instead of its words, nor English.
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			if sheet == "Kommentare" && i >= 3 {
				break // what people wrote, in their words
			}
			for _, cell := range row {
				if strings.Contains(cell, "[") && !strings.Contains(cell, "[name]") {
					t.Errorf("%s: %q", sheet, cell)
				}
				for _, english := range []string{"Response rate", "fewer than", "Leadership", "Statement", " the "} {
					if strings.Contains(cell, english) {
						t.Errorf("%s: %q is English", sheet, cell)
					}
				}
			}
		}
	}

	if _, err := reports.New(reports.Input{Campaign: fx.campaign, Tally: campaign.NewTally(&fx.campaign.Instrument)},
		reports.Options{Language: "fr"}); !errors.Is(err, reports.ErrLanguage) || !strings.Contains(err.Error(), "is in en, de") {
		t.Errorf("a report in a language the campaign does not have: %v", err)
	}
}

// TestReportInEveryLanguage writes the workbook in French and Spanish too:
// their words, every one of them, and dates and decimals their way.
func TestReportInEveryLanguage(t *testing.T) {
	fx := newFixture(t, openStore(t), "Pulse", 1)
	fx.close(t)
	for _, lang := range []string{"fr", "es"} {
		fx.campaign.Instrument.SetTranslation(frenchOrSpanish(fx.in, lang))
	}
	for _, tt := range []struct {
		lang, summary, rate string
	}{{"fr", "Synthèse", "Taux de réponse"}, {"es", "Resumen", "Tasa de respuesta"}} {
		r := fx.reportIn(t, 1, tt.lang)
		f := openWorkbook(t, writeWorkbook(t, r))
		if got := f.GetSheetList()[0]; got != tt.summary {
			t.Errorf("%s: the first sheet is %q", tt.lang, got)
		}
		findRow(t, f, tt.summary, tt.rate)
		paragraph := reports.Reading(r)
		if !strings.Contains(paragraph, ",") || strings.Contains(paragraph, "[") {
			t.Errorf("%s: the reading %q", tt.lang, paragraph)
		}
		for _, m := range reports.Method(r) {
			if strings.Contains(m[0]+m[1], "[") && !strings.Contains(m[1], "[name]") {
				t.Errorf("%s: Method %q", tt.lang, m)
			}
		}
	}
}

// frenchOrSpanish makes a translation of in whose texts are marked with
// the language, for the tests.
func frenchOrSpanish(in campaign.Instrument, lang string) campaign.Translation {
	t := campaign.Translation{Language: lang, Title: lang + ": " + in.Title, Comment: lang + ": " + in.Comment}
	for _, d := range in.Dimensions {
		t.Dimensions = append(t.Dimensions, campaign.Dimension{ID: d.ID, Name: lang + ": " + d.Name})
	}
	for _, it := range in.Items {
		t.Items = append(t.Items, campaign.ItemText{ID: it.ID, Text: lang + ": " + it.Text})
	}
	return t
}
