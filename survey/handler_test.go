package survey_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"golang.org/x/net/html"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/survey"
)

func TestFormPage(t *testing.T) {
	f := newFixture(t)
	r := f.get("/s/" + f.tokens[0])
	if r.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200\n%s", r.StatusCode, r.body)
	}
	if got := r.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type: got %q, want text/html; charset=utf-8", got)
	}
	doc := parseHTML(t, r.body)
	page := text(doc)
	in := f.camp.Instrument

	forms := findAll(doc, tag("form"))
	if len(forms) != 1 {
		t.Fatalf("got %d forms, want 1", len(forms))
	}
	if m, _ := attr(forms[0], "method"); m != "post" {
		t.Errorf("form method: got %q, want post", m)
	}
	if a, _ := attr(forms[0], "action"); a != "?lang=en" {
		t.Errorf("form action %q, want ?lang=en: the form posts back to its own link, in the page's language", a)
	}
	for _, want := range []string{
		testOrganisation, in.Title, in.Intro,
		"You can answer until the end of Friday 18 December 2026",
		"not your name, not your email address, not your personal link",
		"only a yes or no that you have answered",
		"shown only when at least 5 people in it have answered",
		"Comments are shown only once at least 10 people have answered",
		"A comment names its department only where at least 10 people of that department have answered",
		"Every question is optional",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	// No dimension and no pole on the page: the statements stand alone.
	for _, d := range in.Dimensions {
		if strings.Contains(page, d.Name) {
			t.Errorf("the page names the dimension %q", d.Name)
		}
	}

	// Every statement is a fieldset whose legend is the statement, with five
	// radios named by the item, valued 1..5, each with its own label.
	fieldsets := findAll(forms[0], tag("fieldset"))
	if len(fieldsets) != len(in.Items) {
		t.Fatalf("got %d fieldsets, want one per item (%d)", len(fieldsets), len(in.Items))
	}
	labels := map[string]string{} // for → text
	for _, l := range findAll(doc, tag("label")) {
		forID, _ := attr(l, "for")
		labels[forID] = text(l)
	}
	byItem := map[string]*html.Node{}
	for _, fs := range fieldsets {
		id, _ := attr(fs, "id")
		byItem[strings.TrimPrefix(id, "item-")] = fs
	}
	for _, it := range in.Items {
		fs := byItem[it.ID]
		if fs == nil {
			t.Errorf("item %s: no fieldset", it.ID)
			continue
		}
		legends := findAll(fs, tag("legend"))
		if len(legends) != 1 || text(legends[0]) != it.Text {
			t.Errorf("item %s: legend is not the statement %q", it.ID, it.Text)
		}
		radios := findAll(fs, tag("input", "type=radio"))
		if len(radios) != 5 {
			t.Errorf("item %s: got %d radios, want 5", it.ID, len(radios))
			continue
		}
		for v, radio := range radios {
			name, _ := attr(radio, "name")
			value, _ := attr(radio, "value")
			id, _ := attr(radio, "id")
			if name != it.ID || value != strconv.Itoa(v+1) {
				t.Errorf("item %s radio %d: got name %q value %q, want %q and %d", it.ID, v, name, value, it.ID, v+1)
			}
			if got, want := labels[id], campaign.ScaleLabels[v]; got != want {
				t.Errorf("item %s radio %d: label %q, want %q bound by for=%q", it.ID, v, got, want, id)
			}
			if _, checked := attr(radio, "checked"); checked {
				t.Errorf("item %s: an answer is chosen before the person chose one", it.ID)
			}
		}
	}

	areas := findAll(forms[0], tag("textarea", "name=comment", "maxlength=2000"))
	if len(areas) != 1 {
		t.Fatalf("got %d comment textareas with maxlength 2000, want 1", len(areas))
	}
	if id, _ := attr(areas[0], "id"); labels[id] != in.Comment {
		t.Errorf("comment label: got %q, want %q", labels[id], in.Comment)
	}
	if len(findAll(doc, tag("script"))) > 0 || strings.Contains(r.body, "style=") {
		t.Error("the page must need no script and no inline style (the CSP forbids both)")
	}
	if len(findAll(forms[0], tag("button", "type=submit"))) != 1 {
		t.Error("no submit button")
	}
	links := findAll(doc, tag("link", "rel=stylesheet"))
	if len(links) != 1 {
		t.Fatal("no style sheet")
	}
	// The style sheet's link is relative and resolves to the served file.
	href, _ := attr(links[0], "href")
	base, _ := url.Parse(f.srv.URL + "/s/" + f.tokens[0])
	ref, _ := url.Parse(href)
	if css := f.get(base.ResolveReference(ref).Path); css.StatusCode != http.StatusOK || !strings.Contains(css.body, ".choice") {
		t.Errorf("style sheet %q: got %d", href, css.StatusCode)
	}
	for _, tok := range f.tokens {
		if strings.Contains(r.body, tok) {
			t.Error("the page repeats the token; it has no need to")
		}
	}
}

// TestGetRecordsNothing: mail scanners open links, so GET and HEAD change
// nothing.
func TestGetRecordsNothing(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens[0]
	for range 3 {
		if r := f.get("/s/" + tok); r.StatusCode != http.StatusOK {
			t.Fatalf("GET: got %d, want 200", r.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, f.srv.URL+"/s/"+tok, nil)
	if r := f.do(req); r.StatusCode != http.StatusOK || r.body != "" {
		t.Errorf("HEAD: got %d with %d bytes, want 200 and no body", r.StatusCode, len(r.body))
	}
	// A GET with form values in its query string records nothing either.
	if r := f.get("/s/" + tok + "?" + f.someAnswers().Encode()); r.StatusCode != http.StatusOK {
		t.Errorf("GET with a query: got %d, want 200", r.StatusCode)
	}
	if f.responded(tok) {
		t.Error("the responded flag changed on GET")
	}
	if n := len(f.responses()); n != 0 {
		t.Errorf("got %d responses after GET, want 0", n)
	}
}

func TestSubmit(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens[0]
	form := f.someAnswers()
	form.Set("comment", "Line one\r\nline two")

	r := f.post("/s/"+tok, form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: got %d, want 303\n%s", r.StatusCode, r.body)
	}
	loc, err := r.Location()
	if err != nil {
		t.Fatal(err)
	}
	if loc.Path != "/thanks" || strings.Contains(loc.String(), tok) {
		t.Errorf("redirect to %s, want /thanks without the token", loc)
	}
	thanks := f.get(loc.Path)
	if thanks.StatusCode != http.StatusOK || !strings.Contains(thanks.body, "Your answers are recorded") {
		t.Errorf("thank-you page: got %d\n%s", thanks.StatusCode, thanks.body)
	}

	if !f.responded(tok) {
		t.Error("the responded flag did not flip")
	}
	got := f.responses()
	if len(got) != 1 {
		t.Fatalf("got %d responses, want 1", len(got))
	}
	want := map[string]int{}
	for id, v := range form {
		if id != "comment" {
			want[id], _ = strconv.Atoi(v[0])
		}
	}
	if fmt.Sprint(got[0].Answers) != fmt.Sprint(want) {
		t.Errorf("answers: got %v, want %v", got[0].Answers, want)
	}
	if comments := f.comments(); len(comments) != 1 || comments[0] != "Line one\nline two" {
		t.Errorf("comments: got %q, want one with the line break as one LF", comments)
	}
	if got[0].SubmittedOn != "2026-11-02" {
		t.Errorf("submitted on %q, want the date only", got[0].SubmittedOn)
	}

	// The link now says the answers are recorded, and shows no form.
	again := f.get("/s/" + tok)
	if again.StatusCode != http.StatusOK || !strings.Contains(again.body, "already answered") {
		t.Errorf("GET after answering: got %d\n%s", again.StatusCode, again.body)
	}
	if len(findAll(parseHTML(t, again.body), tag("form"))) != 0 {
		t.Error("GET after answering shows the form again")
	}
	// A second submission is refused kindly and changes nothing.
	second := f.post("/s/"+tok, url.Values{f.camp.Instrument.Items[0].ID: {"1"}})
	if second.StatusCode != http.StatusConflict || !strings.Contains(second.body, "already answered") {
		t.Errorf("second POST: got %d, want 409 with the already-recorded page\n%s", second.StatusCode, second.body)
	}
	if n := len(f.responses()); n != 1 {
		t.Errorf("got %d responses after a second POST, want 1", n)
	}
	if f.responded(f.tokens[1]) {
		t.Error("another person's flag flipped")
	}
}

// TestStatuses covers every status but 422 and 500, which have their own
// tests.
func TestStatuses(t *testing.T) {
	f := newFixture(t)
	unknown := strings.Repeat("A", 43)
	valid := f.someAnswers().Encode()
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		setup       func()
		status      int
		says        string
	}{
		{"Form", "GET", "/s/" + f.tokens[0], "", "", nil, 200, "Send my answers"},
		{"Thanks", "GET", "/thanks", "", "", nil, 200, "Your answers are recorded"},
		{"Healthz", "GET", "/healthz", "", "", nil, 200, `{"status":"ok","database":"`},
		{"UnknownToken", "GET", "/s/" + unknown, "", "", nil, 404, "cannot find a survey"},
		{"MalformedToken", "GET", "/s/not-a-token", "", "", nil, 404, "cannot find a survey"},
		{"TokenTooLong", "GET", "/s/" + f.tokens[0] + "x", "", "", nil, 404, "cannot find a survey"},
		{"PostUnknownToken", "POST", "/s/" + unknown, "application/x-www-form-urlencoded", valid, nil, 404, "cannot find a survey"},
		{"OtherPath", "GET", "/admin", "", "", nil, 404, "cannot find a survey"},
		{"Root", "GET", "/", "", "", nil, 404, "cannot find a survey"},
		{"TrailingPath", "GET", "/s/" + f.tokens[0] + "/extra", "", "", nil, 404, "cannot find a survey"},
		{"PutToLink", "PUT", "/s/" + f.tokens[0], "", "", nil, 405, "method not allowed"},
		{"TooLarge", "POST", "/s/" + f.tokens[1], "application/x-www-form-urlencoded",
			valid + "&comment=" + strings.Repeat("x", survey.DefaultMaxBodyBytes), nil, 413, "too long"},
		{"FieldTwice", "POST", "/s/" + f.tokens[1], "application/x-www-form-urlencoded",
			valid + "&" + f.camp.Instrument.Items[0].ID + "=1", nil, 400, "did not reach us"},
		{"TooManyFields", "POST", "/s/" + f.tokens[1], "application/x-www-form-urlencoded",
			tooManyFields(len(f.camp.Instrument.Items) + 2), nil, 400, "did not reach us"},
		{"Multipart", "POST", "/s/" + f.tokens[1], "multipart/form-data; boundary=x", "--x--", nil, 400, "did not reach us"},
		{"ClosedByHand", "GET", "/s/" + f.tokens[2], "", "", func() {
			f.clock.Set(time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC))
			if err := f.store.CloseCampaign(f.ctx, f.camp.ID); err != nil {
				t.Fatal(err)
			}
			f.clock.Set(testNow.AddDate(0, 0, 20))
		}, 410, "closed at 14:05 on Friday 20 November 2026"},
		{"PostClosedByHand", "POST", "/s/" + f.tokens[2], "application/x-www-form-urlencoded", valid, nil, 410, "closed at 14:05 on Friday 20 November 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			req, err := http.NewRequest(tt.method, f.srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			r := f.do(req)
			if r.StatusCode != tt.status || !strings.Contains(r.body, tt.says) {
				t.Errorf("got %d, want %d saying %q\n%s", r.StatusCode, tt.status, tt.says, r.body)
			}
		})
	}
	if n := len(f.responses()); n != 0 {
		t.Errorf("got %d responses, want none of these requests recorded", n)
	}
}

func tooManyFields(n int) string {
	v := url.Values{}
	for i := range n {
		v.Set(fmt.Sprintf("f%d", i), "3")
	}
	return v.Encode()
}

// TestClosingDatePassed: once the campaign's closing date passes, its links
// answer 410 with the date, and keep the responses already given.
func TestClosingDatePassed(t *testing.T) {
	f := newFixture(t)
	if r := f.post("/s/"+f.tokens[0], f.someAnswers()); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST before the closing date: got %d, want 303", r.StatusCode)
	}
	f.clock.Set(testCloses)
	for _, method := range []string{"GET", "POST"} {
		var r reply
		if method == "GET" {
			r = f.get("/s/" + f.tokens[1])
		} else {
			r = f.post("/s/"+f.tokens[1], f.someAnswers())
		}
		if r.StatusCode != http.StatusGone || !strings.Contains(r.body, "closed at the end of Friday 18 December 2026") {
			t.Errorf("%s after the closing date: got %d, want 410 with the date\n%s", method, r.StatusCode, r.body)
		}
	}
	if f.responded(f.tokens[1]) || len(f.responses()) != 1 || !f.responded(f.tokens[0]) {
		t.Error("closing must keep the earlier response and record no new one")
	}
}

// Test404SamePage: an unknown link gets the very page a mistyped or made-up
// one gets, so the page tells nothing about which tokens exist.
func Test404SamePage(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens[0]
	flipped := tok[:10] + string(tok[10]^1) + tok[11:] // one character changed
	pages := map[string]string{}
	for _, path := range []string{"/s/" + flipped, "/s/" + strings.Repeat("A", 43), "/s/short", "/s/" + strings.Repeat("!", 43)} {
		r := f.get(path)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", path, r.StatusCode)
		}
		pages[r.body] = path
	}
	if len(pages) != 1 {
		t.Errorf("got %d different 404 pages, want one", len(pages))
	}
}

// TestInvalidKeepsAnswers: a refused submission shows the form again with
// what the person chose, the problem next to its statement, and records
// nothing.
func TestInvalidKeepsAnswers(t *testing.T) {
	f := newFixture(t)
	items := f.camp.Instrument.Items
	tests := []struct {
		name    string
		form    url.Values
		problem string // the id of the element that must hold the problem
	}{
		{"Space", url.Values{items[0].ID: {"4"}, items[1].ID: {" 3"}}, "error-" + items[1].ID},
		{"Decimal", url.Values{items[0].ID: {"4"}, items[1].ID: {"3.0"}}, "error-" + items[1].ID},
		{"LeadingZero", url.Values{items[0].ID: {"4"}, items[1].ID: {"03"}}, "error-" + items[1].ID},
		{"High", url.Values{items[0].ID: {"4"}, items[1].ID: {"6"}}, "error-" + items[1].ID},
		{"Zero", url.Values{items[0].ID: {"4"}, items[1].ID: {"0"}}, "error-" + items[1].ID},
		{"Empty", url.Values{items[0].ID: {"4"}, items[1].ID: {""}}, "error-" + items[1].ID},
		{"LongComment", url.Values{items[0].ID: {"4"}, "comment": {strings.Repeat("é", campaign.MaxCommentLength+1)}}, "comment-error"},
		{"NothingAnswered", url.Values{"comment": {"Only a comment"}}, "summary-heading"},
		{"UnknownItem", url.Values{items[0].ID: {"4"}, "bogus": {"3"}}, "summary-heading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := f.tokens[0]
			tt.form.Set("comment", tt.form.Get("comment")+" keep me")
			r := f.post("/s/"+tok, tt.form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422\n%s", r.StatusCode, r.body)
			}
			doc := parseHTML(t, r.body)
			if byID(doc, "summary-heading") == nil {
				t.Error("no summary of the problems at the top")
			}
			p := byID(doc, tt.problem)
			if p == nil || text(p) == "" {
				t.Fatalf("no problem shown at #%s", tt.problem)
			}
			if strings.HasPrefix(tt.problem, "error-") {
				item := strings.TrimPrefix(tt.problem, "error-")
				fs := byID(doc, "item-"+item)
				if fs == nil || p.Parent != fs {
					t.Errorf("the problem with %s is not inside its fieldset", item)
				}
				if d, _ := attr(fs, "aria-describedby"); d != tt.problem {
					t.Errorf("fieldset aria-describedby: got %q, want %q", d, tt.problem)
				}
				for _, radio := range findAll(fs, tag("input", "type=radio")) {
					inv, _ := attr(radio, "aria-invalid")
					d, _ := attr(radio, "aria-describedby")
					if inv != "true" || d != tt.problem {
						t.Errorf("radio of %s: aria-invalid %q aria-describedby %q, want true and %q", item, inv, d, tt.problem)
					}
				}
			}
			if tt.problem == "comment-error" {
				area := byID(doc, "comment")
				inv, _ := attr(area, "aria-invalid")
				d, _ := attr(area, "aria-describedby")
				if inv != "true" || !strings.Contains(d, "comment-error") {
					t.Errorf("comment: aria-invalid %q aria-describedby %q", inv, d)
				}
			}
			// The answers given are kept, and nothing else is chosen.
			for _, radio := range findAll(doc, tag("input", "type=radio", "checked")) {
				name, _ := attr(radio, "name")
				value, _ := attr(radio, "value")
				if tt.form.Get(name) != value {
					t.Errorf("%s=%s is chosen; the person sent %q", name, value, tt.form.Get(name))
				}
			}
			if v := tt.form.Get(items[0].ID); v != "" {
				if len(findAll(doc, tag("input", "name="+items[0].ID, "value="+v, "checked"))) != 1 {
					t.Errorf("the answer %s=%s was not kept", items[0].ID, v)
				}
			}
			if area := byID(doc, "comment"); area == nil || !strings.Contains(text(area), "keep me") {
				t.Error("the comment was not kept")
			}
			if f.responded(tok) || len(f.responses()) != 0 {
				t.Error("a refused submission recorded something")
			}
		})
	}
}

// TestCommentAtTheLimit: a comment of exactly MaxCommentLength characters,
// line breaks included as the browser counts them, is accepted although
// the browser sends each line break as CR LF.
func TestCommentAtTheLimit(t *testing.T) {
	f := newFixture(t)
	line := strings.Repeat("ü", 99) + "\r\n" // 100 characters in the box
	form := f.someAnswers()
	form.Set("comment", strings.Repeat(line, campaign.MaxCommentLength/100-1)+strings.Repeat("ü", 100))
	if r := f.post("/s/"+f.tokens[0], form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("got %d, want 303\n%s", r.StatusCode, r.body)
	}
	if got := f.comments()[0]; len([]rune(got)) != campaign.MaxCommentLength {
		t.Errorf("stored %d characters, want %d", len([]rune(got)), campaign.MaxCommentLength)
	}
}

// failingStore is a store that cannot be reached, for the 500 page.
type failingStore struct{ panics bool }

func (s failingStore) FindRecipientByToken(context.Context, string) (*campaign.Recipient, *campaign.Campaign, error) {
	if s.panics {
		panic("store in an impossible state")
	}
	return nil, nil, errors.New("find recipient by token: disk I/O error")
}

func (s failingStore) DatabaseID(context.Context) (string, error) {
	return "", errors.New("read the database id: disk I/O error")
}

func (s failingStore) RecordResponses(_ context.Context, subs []campaign.Submission) []error {
	errs := make([]error, len(subs))
	for i := range errs {
		errs[i] = errors.New("record response: disk I/O error")
	}
	return errs
}

func (s failingStore) FindOptOut(context.Context, string) (bool, *campaign.Campaign, error) {
	return false, nil, errors.New("find opt-out: disk I/O error")
}

func (s failingStore) OptOut(context.Context, string) (*campaign.Campaign, error) {
	return nil, errors.New("opt out: disk I/O error")
}

func TestServerError(t *testing.T) {
	for _, tt := range []struct {
		name  string
		store failingStore
		logs  string
	}{
		{"Error", failingStore{}, "disk I/O error"},
		{"Panic", failingStore{panics: true}, "store in an impossible state"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.serve(tt.store, httptest.NewServer)
			for _, r := range []reply{f.get("/s/" + f.tokens[0]), f.post("/s/"+f.tokens[0], f.someAnswers())} {
				if r.StatusCode != http.StatusInternalServerError || !strings.Contains(r.body, "something went wrong on our side") {
					t.Errorf("got %d, want 500 with a kind sentence\n%s", r.StatusCode, r.body)
				}
				if strings.Contains(r.body, tt.logs) {
					t.Error("the page shows the internal error")
				}
			}
			if !strings.Contains(f.logs.String(), tt.logs) {
				t.Errorf("the error is not logged in full:\n%s", f.logs)
			}
		})
	}
}

// TestHeadersOnEveryResponse checks the security headers on a response of
// every kind.
func TestHeadersOnEveryResponse(t *testing.T) {
	f := newFixture(t)
	broken := newFixture(t)
	broken.serve(failingStore{}, httptest.NewServer)
	tls := newFixture(t)
	tls.serve(tls.store, httptest.NewTLSServer)

	want := map[string]string{
		"Referrer-Policy":            "no-referrer",
		"Content-Security-Policy":    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Cache-Control":              "no-store",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	items := f.camp.Instrument.Items
	replies := map[string]reply{
		"200 form":     f.get("/s/" + f.tokens[0]),
		"303":          f.post("/s/"+f.tokens[0], f.someAnswers()),
		"200 thanks":   f.get("/thanks"),
		"200 already":  f.get("/s/" + f.tokens[0]),
		"409 already":  f.post("/s/"+f.tokens[0], f.someAnswers()),
		"422":          f.post("/s/"+f.tokens[1], url.Values{items[0].ID: {"9"}}),
		"413":          f.post("/s/"+f.tokens[1], url.Values{"comment": {strings.Repeat("x", 70000)}}),
		"400":          f.postRaw("/s/"+f.tokens[1], "text/plain", "x"),
		"404":          f.get("/s/" + strings.Repeat("B", 43)),
		"200 css":      f.get("/static/survey.css"),
		"200 healthz":  f.get("/healthz"),
		"500":          broken.get("/s/" + f.tokens[0]),
		"200 over TLS": tls.get("/s/" + tls.tokens[0]),
		"404 over TLS": tls.get("/nothing"),
	}
	if err := f.store.CloseCampaign(f.ctx, f.camp.ID); err != nil {
		t.Fatal(err)
	}
	replies["410"] = f.get("/s/" + f.tokens[2])

	for name, r := range replies {
		code, _, _ := strings.Cut(name, " ")
		if strconv.Itoa(r.StatusCode) != code {
			t.Errorf("%s: got status %d", name, r.StatusCode)
		}
		for k, v := range want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: %s: got %q, want %q", name, k, got, v)
			}
		}
		hsts := r.Header.Get("Strict-Transport-Security")
		if overTLS := strings.HasSuffix(name, "over TLS"); overTLS != (hsts != "") {
			t.Errorf("%s: Strict-Transport-Security %q; want it only over TLS", name, hsts)
		}
		ct := r.Header.Get("Content-Type")
		switch {
		case strings.Contains(name, "css"):
			if ct != "text/css; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", name, ct)
			}
		case strings.Contains(name, "healthz"):
			if ct != "application/json" {
				t.Errorf("%s: Content-Type %q", name, ct)
			}
		case r.StatusCode != http.StatusSeeOther:
			if ct != "text/html; charset=utf-8" {
				t.Errorf("%s: Content-Type %q, want text/html; charset=utf-8", name, ct)
			}
		}
	}
}

// TestConcurrentSubmissions: 20 simultaneous POSTs with one link record
// exactly one response, and the others get the already-recorded page; the
// same holds when everyone posts several times at once.
func TestConcurrentSubmissions(t *testing.T) {
	for _, tt := range []struct {
		name    string
		links   int // how many people
		perLink int // posts each
	}{
		{"OneLink", 1, 20},
		{"EveryLink", 6, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			codes := make([]int, tt.links*tt.perLink)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range codes {
				wg.Go(func() {
					<-start
					tok := f.tokens[i%tt.links]
					form := url.Values{f.camp.Instrument.Items[0].ID: {strconv.Itoa(i%5 + 1)}}
					req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/s/"+tok, strings.NewReader(form.Encode()))
					if err != nil {
						t.Error(err)
						return
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					resp, err := f.client.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					codes[i] = resp.StatusCode
				})
			}
			close(start)
			wg.Wait()
			var recorded, refused int
			for _, c := range codes {
				switch c {
				case http.StatusSeeOther:
					recorded++
				case http.StatusConflict:
					refused++
				default:
					t.Errorf("unexpected status %d", c)
				}
			}
			if want := tt.links; recorded != want || refused != len(codes)-want {
				t.Errorf("got %d recorded and %d refused, want %d and %d", recorded, refused, want, len(codes)-want)
			}
			if n := len(f.responses()); n != tt.links {
				t.Errorf("got %d responses stored, want %d", n, tt.links)
			}
			for _, tok := range f.tokens[:tt.links] {
				if !f.responded(tok) {
					t.Error("a person who answered is not marked as responded")
				}
			}
		})
	}
}

// TestLogsHoldNoSecrets: the request log names the route, never the token,
// the answers, the comment or the client's address.
func TestLogsHoldNoSecrets(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens[0]
	form := f.someAnswers()
	form.Set("comment", "my-secret-remark")
	f.get("/s/" + tok)
	f.post("/s/"+f.tokens[1], url.Values{f.camp.Instrument.Items[0].ID: {"8"}, "comment": {"my-secret-remark"}})
	f.post("/s/"+tok, form)
	f.get("/s/" + tok + "x")

	logs := f.logs.String()
	for _, want := range []string{`route=/s/{token}`, "method=POST", "status=303", "status=422", "status=404", "duration="} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not hold %q:\n%s", want, logs)
		}
	}
	for _, secret := range append(slices.Clone(f.tokens), "my-secret-remark", "127.0.0.1", f.camp.Instrument.Items[0].ID) {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}

func TestServerErrorLogHidesAddresses(t *testing.T) {
	var buf lockedBuffer
	l := survey.ServerErrorLog(slog.New(slog.NewTextHandler(&buf, nil)))
	for _, line := range []string{
		"http: TLS handshake error from 192.0.2.17:51234: EOF",
		"http: TLS handshake error from [2001:db8::1]:443: remote error",
		"http: panic serving 10.1.2.3:4567: boom",
	} {
		l.Print(line)
	}
	out := buf.String()
	for _, addr := range []string{"192.0.2.17", "2001:db8::1", "10.1.2.3", "51234"} {
		if strings.Contains(out, addr) {
			t.Errorf("the log holds %s:\n%s", addr, out)
		}
	}
	if strings.Count(out, "[address]") != 3 || !strings.Contains(out, "TLS handshake error") {
		t.Errorf("got %q, want the messages with their addresses replaced", out)
	}
}

// TestDatabaseAfterResponses inspects the database file after responses
// given through the page: no token in clear anywhere, and no column of a
// response that could join it to a person or a moment.
func TestDatabaseAfterResponses(t *testing.T) {
	f := newFixture(t)
	for i, tok := range f.tokens {
		form := f.someAnswers()
		form.Set("comment", fmt.Sprintf("comment %d", i))
		if r := f.post("/s/"+tok, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST: got %d", r.StatusCode)
		}
	}
	f.store.Close()
	db, err := sql.Open("sqlite3", "file:"+f.dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var cols []string
	rows, err := db.Query(`SELECT name FROM pragma_table_info('response_slots') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
	}
	rows.Close()
	if want := []string{"answers", "campaign_id", "id", "submitted_on"}; !slices.Equal(cols, want) {
		t.Errorf("response_slots has columns %v, want exactly %v", cols, want)
	}

	var secrets []string
	secrets = append(secrets, f.tokens...)
	for _, tok := range f.tokens {
		secrets = append(secrets, string(campaign.HashToken(tok)))
	}
	for i := range f.tokens {
		secrets = append(secrets, fmt.Sprintf("person%d@example.com", i+1), fmt.Sprintf("Person %d", i+1))
	}
	rows, err = db.Query(`SELECT id, campaign_id, submitted_on, answers FROM response_slots WHERE submitted_on <> '0000-00-00'`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
		var id, submitted, answers string
		var campaignID int64
		if err := rows.Scan(&id, &campaignID, &submitted, &answers); err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(id+submitted+answers, s) {
				t.Errorf("a response holds %q", s)
			}
		}
		if len(submitted) != len("2026-11-02") {
			t.Errorf("submitted_on %q is finer than a date", submitted)
		}
	}
	rows.Close()
	if n != len(f.tokens) {
		t.Errorf("got %d responses, want %d", n, len(f.tokens))
	}

	// The groups keep sums, one row a group: Sales (5 invited) under its
	// name, Finance (1) pooled.
	var groups []string
	rows, err = db.Query(`SELECT column || '=' || value FROM group_tallies ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var g string
		rows.Scan(&g)
		groups = append(groups, g)
	}
	rows.Close()
	if want := []string{"department=(smaller groups)", "department=Sales"}; !slices.Equal(groups, want) {
		t.Errorf("group rows %v, want %v", groups, want)
	}

	tables, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var name string
		tables.Scan(&name)
		names = append(names, name)
	}
	tables.Close()
	for _, table := range names {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				for _, tok := range f.tokens {
					if strings.Contains(s, tok) {
						t.Errorf("%s.%s holds a token in clear", table, cols[i])
					}
				}
			}
		}
		rows.Close()
	}
}
