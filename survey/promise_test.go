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

// TestPromiseMatchesEmail: the survey page and the built-in invitation and
// reminder make the same promise about groups and comments, word for word,
// with the same thresholds.
func TestPromiseMatchesEmail(t *testing.T) {
	f := newFixture(t)
	doc := parseHTML(t, f.get("/s/"+f.tokens[0]).body)
	var promise []string
	for _, section := range findAll(doc, tag("section", "class=promise")) {
		for _, li := range findAll(section, tag("li")) {
			if s := text(li); strings.HasPrefix(s, "Results for") || strings.HasPrefix(s, "Comments are") {
				promise = append(promise, s)
			}
		}
	}
	if len(promise) != 2 {
		t.Fatalf("got %q, want the page's promise about groups and about comments", promise)
	}
	data := map[string]any{"Name": "Zoë", "Organisation": "Acme", "Campaign": "Pulse", "Link": "https://survey.example/s/x",
		"Closes": "Friday 18 December 2026", "MinGroupSize": f.camp.MinGroupSize, "MinCommentGroup": campaign.MinCommentGroupSize, "Reminder": 1}
	tags := regexp.MustCompile(`<[^>]+>`)
	for _, name := range []string{"invitation.txt", "invitation.html", "reminder.txt", "reminder.html"} {
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
