package survey_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
)

// setLanguages gives the fixture's people, in order, the roster languages
// langs.
func (f *fixture) setLanguages(langs ...string) {
	f.t.Helper()
	var staff []campaign.StaffMember
	for i, lang := range langs {
		dept := "Sales"
		if i == 5 {
			dept = "Finance"
		}
		staff = append(staff, campaign.StaffMember{Email: fmt.Sprintf("person%d@example.com", i+1), Name: fmt.Sprintf("Person %d", i+1), Department: dept,
			Attributes: map[string]string{campaign.ColumnLanguage: lang}, Active: true})
	}
	if _, err := f.store.ImportStaff(f.ctx, staff, campaign.ImportOptions{}); err != nil {
		f.t.Fatal(err)
	}
}

// words joins the words of s with single spaces, no-break spaces included.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// htmlLang returns the lang attribute of the page's <html>.
func htmlLang(doc *html.Node) string {
	els := findAll(doc, tag("html"))
	if len(els) == 0 {
		return ""
	}
	v, _ := attr(els[0], "lang")
	return v
}

// pageSays checks a page for its language and phrases, and for a catalog
// key shown instead of its text.
func pageSays(t *testing.T, what string, r reply, lang string, phrases ...string) *html.Node {
	t.Helper()
	doc := parseHTML(t, r.body)
	if got := htmlLang(doc); got != lang {
		t.Errorf("%s: <html lang=%q>, want %q", what, got, lang)
	}
	page := words(text(doc))
	for _, p := range phrases {
		if !strings.Contains(page, words(p)) {
			t.Errorf("%s does not say %q:\n%s", what, p, page)
		}
	}
	if i := strings.Index(page, "["); i >= 0 && strings.Contains(page[i:], "]") && !strings.Contains(page, "[name]") {
		t.Errorf("%s shows a catalog key: %s", what, page[i:min(len(page), i+40)])
	}
	return doc
}

// TestPagesInEachLanguage: each person's link opens the form in their
// language, along the tag, statements and all, with links to the
// campaign's other languages that change the display and nothing else.
func TestPagesInEachLanguage(t *testing.T) {
	f := newFixture(t)
	f.setLanguages("en", "de", "fr", "es", "de-CH", "xx")
	in := instrument.Default()
	tests := []struct {
		person             int
		lang               string
		scale, send, until string
	}{
		{0, "en", "Strongly agree", "Send my answers", "You can answer until the end of Friday 18 December 2026."},
		{1, "de", "Stimme voll und ganz zu", "Antworten absenden", "Sie können bis Freitag, 18. Dezember 2026, 24 Uhr antworten."},
		{2, "fr", "Tout à fait d'accord", "Envoyer mes réponses", "Vous pouvez répondre jusqu'à la fin de la journée du vendredi 18 décembre 2026."},
		{3, "es", "Totalmente de acuerdo", "Enviar mis respuestas", "Puede responder hasta el final del viernes, 18 de diciembre de 2026."},
		{4, "de", "Stimme voll und ganz zu", "Antworten absenden", "Sie können bis Freitag"},
		{5, "en", "Strongly agree", "Send my answers", "You can answer until"},
	}
	for _, tt := range tests {
		tr := in.Translated(tt.lang)
		doc := pageSays(t, "person "+tt.lang, f.get("/s/"+f.tokens[tt.person]), tt.lang,
			tr.Title, tr.Items[0].Text, tr.Items[len(tr.Items)-1].Text, tr.Comment, tt.scale, tt.send, tt.until)
		for _, a := range findAll(doc, tag("a", "hreflang")) {
			href, _ := attr(a, "href")
			hl, _ := attr(a, "hreflang")
			lang, _ := attr(a, "lang")
			if hl == tt.lang || lang != hl || href != "?lang="+hl {
				t.Errorf("person %s: a language link %q to %s (lang %q)", tt.lang, href, hl, lang)
			}
		}
		if n := len(findAll(doc, tag("a", "hreflang"))); n != 3 {
			t.Errorf("person %s: %d links to other languages, want 3", tt.lang, n)
		}
	}

	// ?lang= changes the display only: the German person reads French,
	// their link still answers in any language, and nothing is recorded or
	// kept.
	r := f.get("/s/" + f.tokens[1] + "?lang=fr")
	pageSays(t, "the German person's page with ?lang=fr", r, "fr", in.Translated("fr").Items[0].Text)
	if c := r.Header.Get("Set-Cookie"); c != "" {
		t.Errorf("?lang= set a cookie: %s", c)
	}
	pageSays(t, "?lang=xx", f.get("/s/"+f.tokens[1]+"?lang=xx"), "de", in.Translated("de").Items[0].Text)
	pageSays(t, "?lang=fr-BE", f.get("/s/"+f.tokens[1]+"?lang=fr-BE"), "fr")
	if len(f.responses()) != 0 || f.responded(f.tokens[1]) {
		t.Fatal("showing the page in another language recorded something")
	}

	// A refused submission shows the problems in the page's language, and
	// a recorded one leads to the thank-you page in it.
	refused := f.post("/s/"+f.tokens[2]+"?lang=fr", url.Values{in.Items[0].ID: {"9"}})
	pageSays(t, "a refused French submission", refused, "fr", "Vérifiez vos réponses", "Choisissez l'une des 5 réponses.",
		"« "+in.Translated("fr").Items[0].Text+" » : Choisissez l'une des 5 réponses.")
	empty := f.post("/s/"+f.tokens[3]+"?lang=es", url.Values{})
	pageSays(t, "an empty Spanish submission", empty, "es", "Responda al menos a una afirmación.")
	long := f.post("/s/"+f.tokens[1]+"?lang=de", url.Values{"comment": {strings.Repeat("ä", campaign.MaxCommentLength+1)}, in.Items[0].ID: {"3"}})
	pageSays(t, "a German comment too long", long, "de", "Ihr Kommentar: 2001 Zeichen sind zu lang: Bitte bleiben Sie unter 2000.")

	done := f.post("/s/"+f.tokens[1]+"?lang=de", url.Values{in.Items[0].ID: {"4"}})
	if done.StatusCode != http.StatusSeeOther || done.Header.Get("Location") != "../thanks?lang=de" {
		t.Fatalf("a German submission: %d to %q, want 303 to ../thanks?lang=de", done.StatusCode, done.Header.Get("Location"))
	}
	pageSays(t, "the German thank-you page", f.get("/thanks?lang=de"), "de", "Vielen Dank", "Ihre Antworten sind gespeichert.")
	pageSays(t, "the German person's link again", f.get("/s/"+f.tokens[1]), "de", "Sie haben diese Umfrage bereits beantwortet.")
	if got := f.responses(); len(got) != 1 || got[0].Answers[in.Items[0].ID] != 4 {
		t.Errorf("stored %v, want the German answer under the item's id", got)
	}
}

// TestPagesWithoutALink: an unknown link and the thank-you page speak the
// browser's language when the survey speaks it, else the default.
func TestPagesWithoutALink(t *testing.T) {
	f := newFixture(t)
	get := func(path, accept string) reply {
		req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", accept)
		return f.do(req)
	}
	pageSays(t, "not found, in German", get("/s/nope", "de-AT,de;q=0.9,en;q=0.5"), "de", "Link nicht gefunden", "Unter dieser Adresse finden wir keine Umfrage.")
	pageSays(t, "not found, in Spanish", get("/s/nope", "pt-BR, es;q=0.8"), "es", "Enlace no encontrado")
	pageSays(t, "not found, in nothing spoken", get("/s/nope", "ja"), "en", "Link not found")
	pageSays(t, "thanks, asked in French", get("/thanks?lang=fr", "de"), "fr", "Merci", "Vos réponses sont enregistrées.")
}

// TestClosedAndStopInLanguage: the closed page and the stop page are in
// the person's language, dates the local way.
func TestClosedAndStopInLanguage(t *testing.T) {
	f := newFixture(t)
	f.setLanguages("en", "de", "fr", "es", "en", "en")
	pageSays(t, "the French stop page", f.get("/s/"+f.tokens[2]+"/stop"), "fr", "Rappels pour ce questionnaire", "Arrêter les rappels")
	stopped := f.post("/s/"+f.tokens[3]+"/stop?lang=es", nil)
	doc := pageSays(t, "the Spanish stop page, stopped", stopped, "es", "Hecho: no recibirá más recordatorios de esta encuesta.")
	if a := byID(doc, "answer"); a == nil {
		t.Error("no link back to the survey")
	} else if href, _ := attr(a, "href"); !strings.HasSuffix(href, "?lang=es") {
		t.Errorf("the link back to the survey is %q: it leaves Spanish", href)
	}

	f.clock.Set(testCloses.Add(time.Hour))
	pageSays(t, "the German closed page", f.get("/s/"+f.tokens[1]), "de", "Diese Umfrage ist beendet",
		"Diese Umfrage wurde am Freitag, 18. Dezember 2026, 24 Uhr beendet und nimmt keine Antworten mehr an.")
	pageSays(t, "the Spanish closed page", f.get("/s/"+f.tokens[3]), "es",
		"Esta encuesta está cerrada desde el final del viernes, 18 de diciembre de 2026, así que ya no admite respuestas.")
}

// TestQuestionnaireInALanguageThePageDoesNotSpeak: a campaign translated
// into a language the page's own words are not in shows the statements in
// it, marked with their language, and the page's words in the campaign's
// default language.
func TestQuestionnaireInALanguageThePageDoesNotSpeak(t *testing.T) {
	f := newFixture(t)
	f.setLanguages("pt-BR", "en", "en", "en", "en", "en")
	in := instrument.Default()
	pt := campaign.Translation{Language: "pt-BR", Title: "Como somos liderados e geridos", Intro: "Uma pesquisa curta.", Comment: "Algo mais?"}
	for _, d := range in.Dimensions {
		pt.Dimensions = append(pt.Dimensions, campaign.Dimension{ID: d.ID, Name: "PT " + d.Name})
	}
	for _, it := range in.Items {
		pt.Items = append(pt.Items, campaign.ItemText{ID: it.ID, Text: "Afirmação " + it.ID})
	}
	in.SetTranslation(pt)
	c, err := f.store.CreateCampaign(f.ctx, campaign.NewCampaign{Name: "Brasil", Instrument: in, MinGroupSize: 5}, testKey())
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.store.FindRecipientByEmail(f.ctx, c.ID, "person1@example.com")
	if err != nil {
		t.Fatal(err)
	}
	doc := pageSays(t, "the Brazilian person's page", f.get("/s/"+r.Token(testKey())), "en",
		"Como somos liderados e geridos", "Afirmação focus-l", "Send my answers", "Strongly agree")
	for _, el := range append(findAll(doc, tag("h1")), findAll(doc, tag("legend"))...) {
		if lang, _ := attr(el, "lang"); lang != "pt-BR" {
			t.Errorf("<%s>%s</%s> is marked %q, want pt-BR", el.Data, text(el), el.Data, lang)
		}
	}
	if links := findAll(doc, tag("a", "hreflang=pt-BR")); len(links) != 0 {
		t.Error("the page links to its own language")
	}
}
