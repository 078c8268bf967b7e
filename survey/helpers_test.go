package survey_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/survey"
)

// testNow is when the tests run, unless a test moves the clock.
var testNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// testCloses is the test campaign's closing date: the end of Friday
// 18 December 2026.
var testCloses = time.Date(2026, 12, 19, 0, 0, 0, 0, time.UTC)

const testOrganisation = "Acme & Sons Ltd"

// clock is a settable clock for the store and the handler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// lockedBuffer collects log lines written from the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a campaign in a real SQLite file, served by the real handler
// over loopback.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	dbPath string
	store  *campaign.Store
	camp   *campaign.Campaign
	tokens []string // one per recipient, in the order they were added
	clock  *clock
	logs   *lockedBuffer
	srv    *httptest.Server
	client *http.Client // does not follow redirects
}

func testKey() *campaign.TokenKey {
	var k campaign.TokenKey
	copy(k[:], "the survey tests' key, 32 bytes!")
	return &k
}

// newFixture makes a campaign of the default instrument for six people and
// serves it. The campaign closes at testCloses.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: &clock{t: testNow}, logs: &lockedBuffer{}}
	f.dbPath = filepath.Join(t.TempDir(), "survey.db")
	s, err := campaign.Open(f.ctx, f.dbPath, campaign.Options{Now: f.clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	f.store = s
	var staff []campaign.StaffMember
	for i, dept := range []string{"Sales", "Sales", "Sales", "Sales", "Sales", "Finance"} {
		staff = append(staff, campaign.StaffMember{
			Email: fmt.Sprintf("person%d@example.com", i+1), Name: fmt.Sprintf("Person %d", i+1),
			Department: dept, Active: true,
		})
	}
	if _, err := s.ImportStaff(f.ctx, staff, campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	f.camp, err = s.CreateCampaign(f.ctx, campaign.NewCampaign{
		Name: "Pulse", Instrument: instrument.Default(), MinGroupSize: 5, ClosesAt: testCloses,
	}, testKey())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.FindRecipients(f.ctx, f.camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		f.tokens = append(f.tokens, r.Token(testKey()))
	}
	f.serve(s, httptest.NewServer)
	return f
}

// serve serves the handler over store with start (httptest.NewServer or
// NewTLSServer).
func (f *fixture) serve(store survey.Store, start func(http.Handler) *httptest.Server) {
	f.t.Helper()
	logger := slog.New(slog.NewTextHandler(f.logs, nil))
	h, err := survey.NewHandler(store, testOrganisation, f.clock.Now, logger, survey.Options{Location: time.UTC})
	if err != nil {
		f.t.Fatal(err)
	}
	if f.srv != nil {
		f.srv.Close()
	}
	f.srv = start(h)
	f.t.Cleanup(f.srv.Close)
	f.client = f.srv.Client()
	f.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}

// reply is a response with its body read.
type reply struct {
	*http.Response
	body string
}

func (f *fixture) do(req *http.Request) reply {
	f.t.Helper()
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return reply{resp, string(b)}
}

func (f *fixture) get(path string) reply {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.do(req)
}

// post submits a form, encoded as a browser encodes it, to path.
func (f *fixture) post(path string, form url.Values) reply {
	f.t.Helper()
	return f.postRaw(path, "application/x-www-form-urlencoded", form.Encode())
}

func (f *fixture) postRaw(path, contentType, body string) reply {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return f.do(req)
}

// responded reports whether the recipient of token has responded.
func (f *fixture) responded(token string) bool {
	f.t.Helper()
	r, _, err := f.store.FindRecipientByToken(f.ctx, token)
	if err != nil {
		f.t.Fatal(err)
	}
	return r.Responded
}

// responses returns the campaign's stored responses.
func (f *fixture) responses() []campaign.Response {
	f.t.Helper()
	var out []campaign.Response
	err := f.store.ScanResponses(f.ctx, f.camp.ID, func(r *campaign.Response) error {
		out = append(out, *r)
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// comments returns the texts of the campaign's stored comments.
func (f *fixture) comments() []string {
	f.t.Helper()
	cs, err := f.store.FindComments(f.ctx, f.camp.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return out
}

// someAnswers answers the first three statements of the instrument.
func (f *fixture) someAnswers() url.Values {
	items := f.camp.Instrument.Items
	return url.Values{items[0].ID: {"4"}, items[1].ID: {"2"}, items[2].ID: {"5"}}
}

// --- reading HTML ---

func parseHTML(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return doc
}

// findAll returns the elements under n, in document order, that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// tag matches elements by name and attributes given as "name=value" (or
// just "name" for presence).
func tag(name string, attrs ...string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if n.Data != name {
			return false
		}
		for _, a := range attrs {
			k, v, hasValue := strings.Cut(a, "=")
			got, ok := attr(n, k)
			if !ok || hasValue && got != v {
				return false
			}
		}
		return true
	}
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// text returns the text under n with its spaces collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// byID returns the element with the id, or nil.
func byID(doc *html.Node, id string) *html.Node {
	found := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
	if len(found) == 0 {
		return nil
	}
	return found[0]
}
