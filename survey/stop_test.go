package survey_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// sendAll records every invitation of the fixture's campaign as delivered
// at testNow, so that everyone is due a reminder.
func (f *fixture) sendAll() {
	f.t.Helper()
	if _, err := f.store.AcquireSender(f.ctx, f.camp.ID, "test", time.Hour, nil); err != nil {
		f.t.Fatal(err)
	}
	invitations := campaign.Round{Kind: campaign.Invitation}
	ids, err := f.store.FindDue(f.ctx, f.camp.ID, invitations, testKey())
	if err != nil {
		f.t.Fatal(err)
	}
	rs, err := f.store.Claim(f.ctx, f.camp.ID, "test", invitations, ids, testKey())
	if err != nil {
		f.t.Fatal(err)
	}
	var ds []campaign.Delivery
	for _, r := range rs {
		ds = append(ds, campaign.Delivery{RecipientID: r.ID, Kind: campaign.Invitation, Result: campaign.Delivered, Attempts: 1})
	}
	if err := f.store.RecordDeliveries(f.ctx, ds); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.ReleaseSender(f.ctx, f.camp.ID, "test"); err != nil {
		f.t.Fatal(err)
	}
}

// remindable reports whether the recipient of token is due a reminder.
func (f *fixture) remindable(token string) bool {
	f.t.Helper()
	r, _, err := f.store.FindRecipientByToken(f.ctx, token)
	if err != nil {
		f.t.Fatal(err)
	}
	round := campaign.Round{Kind: campaign.Reminder, Reminders: campaign.ReminderPolicy{Max: 3}, Start: f.clock.Now().Add(time.Second)}
	due, err := f.store.FindDue(f.ctx, f.camp.ID, round, testKey())
	if err != nil {
		f.t.Fatal(err)
	}
	return slices.Contains(due, r.ID)
}

func (f *fixture) optedOut(token string) bool {
	f.t.Helper()
	stopped, _, err := f.store.FindOptOut(f.ctx, token)
	if err != nil {
		f.t.Fatal(err)
	}
	return stopped
}

// TestStopReminders is RFC 8058's one-click opt-out over HTTP: a GET, as
// scanners send, changes nothing; a POST stops the reminders to that person
// only; the person can still answer.
func TestStopReminders(t *testing.T) {
	f := newFixture(t)
	f.sendAll()
	tok, other := f.tokens[0], f.tokens[1]
	stop := "/s/" + tok + "/stop"

	for range 3 {
		r := f.get(stop)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: %s %s", "/s/TOKEN/stop", r.Status, r.Header.Get("Content-Type"))
		}
		doc := parseHTML(t, r.body)
		forms := findAll(doc, tag("form", "method=post"))
		if len(forms) != 1 || len(findAll(forms[0], tag("button", "type=submit"))) != 1 {
			t.Fatalf("the page has no form with a button that posts:\n%s", r.body)
		}
		if a, _ := attr(forms[0], "action"); a != "?lang=en" {
			t.Errorf("the form's action is %q, want ?lang=en: it posts back to the page's own URL, in the page's language", a)
		}
	}
	if req, _ := http.NewRequest(http.MethodHead, f.srv.URL+stop, nil); f.do(req).StatusCode != http.StatusOK {
		t.Error("HEAD of the stop page failed")
	}
	if f.optedOut(tok) || !f.remindable(tok) {
		t.Fatal("a GET of the stop page stopped the reminders")
	}

	// What a mail client sends on one click (RFC 8058, section 3.2).
	r := f.postRaw(stop, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "you will not get any more reminders") {
		t.Fatalf("one-click POST: %s\n%s", r.Status, r.body)
	}
	if !f.optedOut(tok) || f.remindable(tok) {
		t.Error("the POST did not stop the reminders")
	}
	if f.optedOut(other) || !f.remindable(other) {
		t.Error("the POST stopped someone else's reminders")
	}
	if got := f.responses(); len(got) != 0 || f.responded(tok) {
		t.Errorf("stopping the reminders recorded a response: %d responses", len(got))
	}
	if again := f.post(stop, nil); again.StatusCode != http.StatusOK || !f.optedOut(tok) {
		t.Errorf("a second POST: %s", again.Status)
	}
	if r := f.get(stop); len(findAll(parseHTML(t, r.body), tag("form"))) != 0 || !strings.Contains(r.body, "Done") {
		t.Errorf("after stopping, the page still offers the button:\n%s", r.body)
	}

	// The person can still answer.
	if r := f.post("/s/"+tok, f.someAnswers()); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("answering after stopping the reminders: %s\n%s", r.Status, r.body)
	}
	if !f.responded(tok) || len(f.responses()) != 1 {
		t.Error("the answers of a person who stopped the reminders were not recorded")
	}
	if st, err := f.store.CampaignStatus(f.ctx, f.camp); err != nil || st.OptedOut != 1 {
		t.Errorf("status counts %d opt-outs (%v), want 1", st.OptedOut, err)
	}
	if strings.Contains(f.logs.String(), tok) {
		t.Error("the log holds a token")
	}
}

func TestStopStatuses(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/s/" + strings.Repeat("A", 43) + "/stop", "/s/short/stop"} {
		if r := f.get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET unknown link: %s", r.Status)
		}
		if r := f.post(path, url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST unknown link: %s", r.Status)
		}
	}
	f.clock.Set(testCloses)
	r := f.get("/s/" + f.tokens[2] + "/stop")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "closed") || len(findAll(parseHTML(t, r.body), tag("form"))) != 0 {
		t.Errorf("stop page of a closed survey: %s\n%s", r.Status, r.body)
	}
}

// TestBrowserStopReminders opens the stop link in Chromium, checks that
// opening it changed nothing, presses the button, then follows the page's
// link back to the survey and answers it.
func TestBrowserStopReminders(t *testing.T) {
	f := newFixture(t)
	f.sendAll()
	ctx := newBrowser(t)
	tok := f.tokens[0]

	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/s/"+tok+"/stop")); err != nil {
		t.Fatal(err)
	}
	label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`button[type="submit"]`)))
	if err != nil || label != "Stop the reminders" {
		t.Fatalf("button %q (%v)", label, err)
	}
	if f.optedOut(tok) || !f.remindable(tok) {
		t.Fatal("opening the stop page in a browser stopped the reminders")
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if err != nil {
		t.Fatalf("press the button: %v", err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("done")))
	if err != nil || resp.Status != 200 || !strings.Contains(done, "you will not get any more reminders") {
		t.Fatalf("after pressing: status %d, %q (%v)", resp.Status, done, err)
	}
	if !f.optedOut(tok) || f.remindable(tok) {
		t.Fatal("pressing the button did not stop the reminders")
	}

	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("answer"))); err != nil {
		t.Fatalf("follow the link back to the survey: %v", err)
	}
	items := f.camp.Instrument.Items
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label[for="a-`+items[0].ID+`-4"]`))); err != nil {
		t.Fatalf("the survey form did not open from the stop page: %v", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); err != nil || heading != "Thank you" {
		t.Errorf("after answering: heading %q (%v)", heading, err)
	}
	if !f.responded(tok) {
		t.Error("a person who stopped the reminders could not answer in the browser")
	}
}
