package survey_test

import (
	htmltemplate "html/template"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	texttemplate "text/template"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/templates"
)

// TestPromiseMatchesEmail: in every language, the survey page and the
// built-in invitation and reminder make the same promise about groups and
// comments, word for word, with the same thresholds.
func TestPromiseMatchesEmail(t *testing.T) {
	f := newFixture(t)
	f.setLanguages("en", "de", "fr", "es", "en", "en")
	for person, lang := range []string{"en", "de", "fr", "es"} {
		doc := parseHTML(t, f.get("/s/"+f.tokens[person]).body)
		if got := htmlLang(doc); got != lang {
			t.Fatalf("person %d: the page is in %q, want %s", person, got, lang)
		}
		var promise []string
		for _, section := range findAll(doc, tag("section", "class=promise")) {
			for _, class := range []string{"groups", "comments"} {
				for _, li := range findAll(section, tag("li", "class="+class)) {
					promise = append(promise, text(li))
				}
			}
		}
		if len(promise) != 2 {
			t.Fatalf("%s: got %q, want the page's promise about groups and about comments", lang, promise)
		}
		data := map[string]any{"Language": lang, "Name": "Zoë", "Organisation": "Acme", "Campaign": "Pulse", "Link": "https://survey.example/s/x",
			"StopLink": "https://survey.example/s/x/stop", "Closes": "Friday 18 December 2026", "MinGroupSize": f.camp.MinGroupSize,
			"MinCommentGroup": campaign.MinCommentGroupSize, "Reminder": 1}
		tags := regexp.MustCompile(`<[^>]+>`)
		for _, name := range []string{"invitation.txt", "invitation.html", "reminder.txt", "reminder.html"} {
			name = lang + "/" + name
			src, err := fs.ReadFile(templates.Email(), name)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			if strings.HasSuffix(name, ".html") {
				err = htmltemplate.Must(htmltemplate.New(name).Parse(string(src))).Execute(&out, data)
			} else {
				err = texttemplate.Must(texttemplate.New(name).Parse(string(src))).Execute(&out, data)
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			body := strings.Join(strings.Fields(strings.ReplaceAll(tags.ReplaceAllString(out.String(), " "), "&#39;", "'")), " ")
			for _, p := range promise {
				if !strings.Contains(body, p) {
					t.Errorf("%s does not promise, word for word, %q", name, p)
				}
			}
		}
	}
}
