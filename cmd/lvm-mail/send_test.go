package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/demo"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
	"github.com/lvm-mail/lvm-mail/survey"
)

// newMailShell returns a shell whose configuration sends to an in-process
// SMTP server with the given behaviour, with links to the real survey
// handler on the shell's database (so that send's link check passes). top
// is added to the top level of the config file.
func newMailShell(t *testing.T, opts smtptest.Options, top string) (*shell, *smtptest.Server) {
	t.Helper()
	srv, err := smtptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := newShell(t)
	c.surveyURL = surveyOn(t, c.path("lvm-mail.db"))
	c.write("lvm-mail.toml", fmt.Sprintf(`database = %q
base_url = %q
organisation = "Mail Test Ltd"
%s
[smtp]
host = %q
port = %d
tls = "none"
from = "People Team <people@mailtest.example.org>"
concurrency = 4
rate = 0
max_retries = 10
retry_backoff = "1ms"
timeout = "10s"

[survey]
max_reminders = 1
remind_after = "0s"
`, c.path("lvm-mail.db"), c.surveyURL, top, srv.Host, srv.Port))
	return c, srv
}

// surveyOn serves the real survey handler on the database at path, opened
// afresh for each request (the database may not exist yet when it starts),
// and returns its URL.
func surveyOn(t *testing.T, path string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		store, err := campaign.Open(r.Context(), path, campaign.Options{MustExist: true})
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		defer store.Close()
		h, err := survey.NewHandler(store, "Mail Test Ltd", time.Now, slog.New(slog.DiscardHandler), survey.Options{})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// respond answers the survey through the link of the person with the given
// address, as they would.
func (c *shell) respond(email string) {
	c.t.Helper()
	answers := map[string]int{}
	for _, it := range instrument.Default().Items {
		answers[it.ID] = 3
	}
	if err := demo.Respond(context.Background(), http.DefaultClient, c.surveyURL+"/s/"+c.tokens()[email], answers, ""); err != nil {
		c.t.Fatalf("%s answers: %v", email, err)
	}
}

// invite imports n people (some with names far from ASCII) and creates the
// campaign "Big".
func (c *shell) invite(n int) {
	c.t.Helper()
	names := []string{"Zoë Ångström", "José Müller", "Ann Archer", "李雷"}
	var people []campaign.StaffMember
	for i := range n {
		people = append(people, campaign.StaffMember{Email: fmt.Sprintf("p%03d@example.com", i), Name: names[i%len(names)],
			Department: []string{"Sales", "Support"}[i%2], Active: true})
	}
	c.importStaff(people...)
	c.ok("campaign", "create", "--name", "Big")
}

// tokens returns every invitee's token of the campaign "big", rebuilt
// with the key file.
func (c *shell) tokens() map[string]string {
	c.t.Helper()
	return c.tokensOf("big")
}

// openCampaign opens the shell's database, which must exist, and finds a
// campaign in it; the caller closes the store.
func (c *shell) openCampaign(slug string) (*campaign.Store, *campaign.Campaign) {
	c.t.Helper()
	s, err := campaign.Open(context.Background(), c.path("lvm-mail.db"), campaign.Options{MustExist: true})
	if err != nil {
		c.t.Fatal(err)
	}
	camp, err := s.FindCampaign(context.Background(), slug)
	if err != nil {
		s.Close()
		c.t.Fatal(err)
	}
	return s, camp
}

// tokensOf returns every invitee's token of a campaign, by email, rebuilt
// with the key file.
func (c *shell) tokensOf(slug string) map[string]string {
	c.t.Helper()
	key, err := campaign.LoadTokenKey(c.path("lvm-mail.db.key"), false, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	s, camp := c.openCampaign(slug)
	defer s.Close()
	rs, err := s.FindRecipients(context.Background(), camp.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		out[r.Email] = r.Token(key)
	}
	return out
}

// sql runs a statement on the database file directly: for what another
// command (serve) or the passing of time would do.
func (c *shell) sql(query string, args ...any) {
	c.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+c.path("lvm-mail.db")+"?_busy_timeout=10000")
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		c.t.Fatal(err)
	}
}

// noTokens fails the test if any token appears in the output.
func noTokens(t *testing.T, tokens map[string]string, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		for email, tok := range tokens {
			if strings.Contains(out, tok) {
				t.Fatalf("the token of %s was printed:\n%s", email, out)
			}
		}
	}
}

var linkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/s/([A-Za-z0-9_-]+)`)

// perPerson counts the server's messages by recipient, and checks that
// each carries that person's own link.
func perPerson(t *testing.T, srv *smtptest.Server, tokens map[string]string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, m := range srv.Messages() {
		d, err := mailer.Decode(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range m.To {
			got[to]++
			link := linkRE.FindStringSubmatch(d.Text)
			if link == nil || link[1] != tokens[to] {
				t.Errorf("%s: the message does not carry their own link", to)
			}
			if !strings.Contains(d.HTML, "/s/"+tokens[to]) {
				t.Errorf("%s: the HTML part lacks their link", to)
			}
		}
	}
	return got
}

func TestSendCommand(t *testing.T) {
	const n = 250
	c, srv := newMailShell(t, smtptest.Options{}, "")
	c.invite(n)
	tokens := c.tokens()

	out := c.ok("send", "--campaign", "big", "--dry-run")
	if !strings.Contains(out, fmt.Sprintf("%d invitations rendered and checked", n)) || srv.Stats().Connections != 0 {
		t.Fatalf("dry run: %d connections, said\n%s", srv.Stats().Connections, out)
	}
	if st := c.status("big"); st["pending"] != float64(n) {
		t.Fatalf("the dry run changed the state: %v", st)
	}

	var stderr string
	out, stderr, code := c.run("send", "--campaign", "big")
	if code != 0 {
		t.Fatalf("send: exit %d\n%s%s", code, out, stderr)
	}
	noTokens(t, tokens, out, stderr)
	for _, want := range []string{fmt.Sprintf(`(?m)^  sent +%d$`, n), `(?m)^invitations: 250 of 250 done`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("send did not say %s:\n%s", want, out)
		}
	}
	got := perPerson(t, srv, tokens)
	for email := range tokens {
		if got[email] != 1 {
			t.Errorf("%s: got %d messages, want 1", email, got[email])
		}
	}
	st := c.status("big")
	if st["sent"] != float64(n) || st["pending"] != 0.0 || st["unknown"] != 0.0 || st["failed"] != 0.0 {
		t.Errorf("status after send: %v", st)
	}

	out = c.ok("send", "--campaign", "big")
	if srv.Count() != n || !regexp.MustCompile(`(?m)^  sent +0$`).MatchString(out) ||
		!regexp.MustCompile(fmt.Sprintf(`(?m)^  skipped +%d `, n)).MatchString(out) {
		t.Errorf("second send: the server has %d messages (want %d); it said\n%s", srv.Count(), n, out)
	}
}

// TestSendHostileServer: every 7th DATA answered 451, every 11th connection
// dropped mid-DATA, two mailboxes refused with 550. Everyone else gets one
// message, the two are failed with the reply in status. The server also
// closes each connection after 5 messages, as some do: with connections
// reused, there would otherwise be too few for every 11th to matter.
func TestSendHostileServer(t *testing.T) {
	const n = 150
	refused := []string{"p007@example.com", "p100@example.com"}
	c, srv := newMailShell(t, smtptest.Options{TempFailEvery: 7, DropEvery: 11, Refuse: refused, MaxPerConnection: 5}, "")
	c.invite(n)
	tokens := c.tokens()

	out := c.ok("send", "--campaign", "big")
	got := perPerson(t, srv, tokens)
	for email := range tokens {
		want := 1
		if email == refused[0] || email == refused[1] {
			want = 0
		}
		if got[email] != want {
			t.Errorf("%s: got %d messages, want %d", email, got[email], want)
		}
	}
	stats := srv.Stats()
	if stats.TempFailed == 0 || stats.Dropped == 0 {
		t.Fatalf("the server was not hostile: %+v", stats)
	}
	st := c.status("big")
	if st["sent"] != float64(n-2) || st["failed"] != 2.0 || st["pending"] != 0.0 || st["unknown"] != 0.0 {
		t.Errorf("status: %v, want %d sent and 2 failed", st, n-2)
	}
	text := c.ok("status", "--campaign", "big")
	for _, email := range refused {
		want := email + ": 550 5.1.1 <" + email + ">: mailbox unavailable"
		if !strings.Contains(text, strings.Replace(want, ":", " (invitation):", 1)) || !strings.Contains(out, want) {
			t.Errorf("status and send must show %q; status said\n%s\nsend said\n%s", want, text, out)
		}
	}
}

// TestSendChild is the child process of TestSendKilledMidCampaign: it runs
// a real send, and is killed.
func TestSendChild(t *testing.T) {
	dir := os.Getenv("LVM_MAIL_TEST_SEND_CHILD")
	if dir == "" {
		t.Skip("run by TestSendKilledMidCampaign")
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"lvm-mail", "--config", filepath.Join(dir, "lvm-mail.toml"), "send", "--campaign", "big"},
		os.Getenv, strings.NewReader(""), &out, &out)
	os.Exit(exitCode(err))
}

// TestSendKilledMidCampaign kills a send with SIGKILL half way. A new send
// starts at once, since the dead run was on this machine; only messages
// whose SMTP transaction had begun are of unknown fate, so a plain re-run
// leaves at most one person per connection without the message; those are
// resent only with --resend-unknown; and duplicates are at most the
// messages that were in flight.
func TestSendKilledMidCampaign(t *testing.T) {
	const n, concurrency = 200, 4
	c, srv := newMailShell(t, smtptest.Options{Delay: 3 * time.Millisecond}, "")
	c.invite(n)
	tokens := c.tokens()

	child := exec.Command(os.Args[0], "-test.run=^TestSendChild$")
	child.Env = append(os.Environ(), "LVM_MAIL_TEST_SEND_CHILD="+c.dir)
	var childOut bytes.Buffer
	child.Stdout, child.Stderr = &childOut, &childOut
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.WaitFor(n / 3):
	case <-time.After(time.Minute):
		child.Process.Kill()
		t.Fatalf("the child sent nothing:\n%s", childOut.String())
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no cleanup at all
		t.Fatal(err)
	}
	child.Wait()
	atKill := srv.Count()
	if atKill >= n {
		t.Fatalf("the child finished (%d messages) before it was killed", atKill)
	}
	begun := map[string]bool{} // recipients whose transaction reached RCPT TO
	for _, to := range srv.Recipients() {
		begun[to] = true
	}

	// The dead run's lease has not lapsed, but its process is gone: a
	// plain re-run starts at once.
	out := c.ok("send", "--campaign", "big")
	unknown := c.emailsWhere(`r.state = 'unknown'`)
	t.Logf("killed after %d messages; %d unknown: %v", atKill, len(unknown), unknown)
	for _, email := range unknown {
		if !begun[email] {
			t.Errorf("%s is of unknown fate, but its SMTP transaction had not begun before the kill", email)
		}
	}
	if len(unknown) > 0 && !strings.Contains(out, "--resend-unknown") {
		t.Errorf("send does not say how to resend the %d unknown:\n%s", len(unknown), out)
	}
	got := perPerson(t, srv, tokens)
	without := 0
	for email := range tokens {
		if got[email] == 0 {
			without++
		}
	}
	if without > concurrency {
		t.Errorf("after a plain re-run %d people are without their invitation, want at most %d (one per connection)", without, concurrency)
	}
	st := c.status("big")
	if int(st["unknown"].(float64)) != len(unknown) || st["pending"] != 0.0 || int(st["sent"].(float64)) != n-len(unknown) {
		t.Errorf("after the second send: %v, want %d unknown and the rest sent", st, len(unknown))
	}

	c.ok("send", "--campaign", "big", "--resend-unknown")
	st = c.status("big")
	if st["sent"] != float64(n) || st["unknown"] != 0.0 {
		t.Errorf("after --resend-unknown: %v, want all %d sent", st, n)
	}
	got = perPerson(t, srv, tokens)
	duplicates := 0
	for email := range tokens {
		if got[email] == 0 {
			t.Errorf("%s never got the message", email)
		}
		duplicates += max(0, got[email]-1)
	}
	t.Logf("%d duplicates", duplicates)
	if duplicates > len(unknown) {
		t.Errorf("got %d duplicates, want at most the %d messages in flight at the kill", duplicates, len(unknown))
	}
}

// TestSendWaitsForALiveRun: the lease of a run that is alive, or that ran
// on another machine, is respected until it lapses.
func TestSendWaitsForALiveRun(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	c.invite(3)
	for _, holder := range []string{
		fmt.Sprintf("%s pid %d (abcdef)", hostname(t), os.Getpid()), // this very process: alive
		"another-host.example.org pid 1 (abcdef)",
	} {
		c.sql(`UPDATE campaigns SET sender = ?, sender_until = '2999-01-01T00:00:00.000000000Z'`, holder)
		errOut := c.fails(1, "send", "--campaign", "big")
		if !strings.Contains(errOut, "another send or remind is running for this campaign") || !strings.Contains(errOut, holder) {
			t.Errorf("with the lease held by %s: %s", holder, errOut)
		}
	}
	if srv.Count() != 0 {
		t.Errorf("sent %d messages past a live lease", srv.Count())
	}
}

func hostname(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// emailsWhere returns the addresses of the recipients matching a condition
// on r (recipients), sorted.
func (c *shell) emailsWhere(cond string) []string {
	c.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+c.path("lvm-mail.db")+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT s.email FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE ` + cond + ` ORDER BY 1`)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		rows.Scan(&e)
		out = append(out, e)
	}
	return out
}

func TestRemindCommand(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	c.invite(10)
	tokens := c.tokens()
	c.ok("remind", "--campaign", "big") // no invitation sent yet: no one to remind
	if srv.Count() != 0 {
		t.Fatalf("reminded %d people who were never invited", srv.Count())
	}
	c.ok("send", "--campaign", "big")
	srv.Reset()
	c.respond("p000@example.com")
	c.respond("p001@example.com")

	conns := srv.Stats().Connections
	out := c.ok("remind", "--campaign", "big", "--dry-run")
	if !strings.Contains(out, "8 reminders rendered and checked") || srv.Stats().Connections != conns {
		t.Fatalf("remind --dry-run said\n%s", out)
	}
	out = c.ok("remind", "--campaign", "big")
	got := perPerson(t, srv, tokens) // each with their same link
	if len(got) != 8 || got["p000@example.com"] != 0 || got["p002@example.com"] != 1 {
		t.Errorf("reminded %v, want the 8 who have not answered, once", got)
	}
	noTokens(t, tokens, out)
	if st := c.status("big"); st["reminded"] != 8.0 {
		t.Errorf("status: %v, want 8 reminded", st)
	}
	c.ok("remind", "--campaign", "big") // max_reminders = 1
	if srv.Count() != 8 {
		t.Errorf("a second remind sent %d more, want none (max_reminders = 1)", srv.Count()-8)
	}

	c.ok("campaign", "close", "big")
	for _, cmd := range []string{"remind", "send"} {
		errOut := c.fails(1, cmd, "--campaign", "big")
		if !strings.Contains(errOut, "closed") {
			t.Errorf("%s for a closed campaign: %s", cmd, errOut)
		}
	}
}

func TestPreviewCommand(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	c.invite(3)
	tokens := c.tokens()

	out := c.ok("preview", "--campaign", "big", "--recipient", "P000@example.com")
	noTokens(t, tokens, out)
	for _, want := range []string{
		"To: Zoë Ångström <p000@example.com>",
		"(encoded as: =?utf-8?q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= <p000@example.com>)",
		"Subject: How is Mail Test Ltd led and managed? Your anonymous view",
		"Auto-Submitted: auto-generated",
		"----- part 1: text/plain -----\nHello Zoë Ångström,",
		"----- part 2: text/html -----",
		c.surveyURL + "/s/" + mailer.PlaceholderToken,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^Message-ID: <lvm-mail\.invitation\.r\d+\.c1-\d+@mailtest\.example\.org>$`).MatchString(out) {
		t.Errorf("preview lacks the Message-ID:\n%s", out)
	}
	if out := c.ok("preview", "--campaign", "big", "--reminder"); !strings.Contains(out, "Subject: Reminder:") {
		t.Errorf("preview --reminder:\n%s", out)
	}
	if len(mailer.PlaceholderToken) != len(tokens["p000@example.com"]) {
		t.Errorf("the placeholder has %d characters, a token %d", len(mailer.PlaceholderToken), len(tokens["p000@example.com"]))
	}
	if errOut := c.fails(1, "preview", "--campaign", "big", "--recipient", "nobody@example.com"); !strings.Contains(errOut, "not invited") {
		t.Errorf("unknown recipient: %s", errOut)
	}
	c.fails(2, "preview", "--campaign", "big", "--to", "not an address")

	out = c.ok("preview", "--campaign", "big", "--recipient", "p001@example.com", "--to", "hr@example.com")
	noTokens(t, tokens, out)
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "hr@example.com" {
		t.Fatalf("preview --to: the server got %v", msgs)
	}
	d, err := mailer.Decode(msgs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.Get("Subject"), "[TEST] ") || d.Get("X-LVM-Mail-Test") != "yes" ||
		!strings.Contains(d.Text, mailer.PlaceholderToken) || !strings.Contains(d.Text, "Hello José Müller,") {
		t.Errorf("the test message: subject %q, test header %q, text\n%s", d.Get("Subject"), d.Get("X-LVM-Mail-Test"), d.Text)
	}
	if st := c.status("big"); st["pending"] != 3.0 {
		t.Errorf("preview --to changed the state: %v", st)
	}
}

// TestSendRefusesBrokenTemplates: a templates_dir whose template lacks the
// link is refused before anything is sent, naming the file.
func TestSendRefusesBrokenTemplates(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	dir := filepath.Join(c.dir, "tpl")
	c.write("lvm-mail.toml", fmt.Sprintf("templates_dir = %q\n", dir)+mustRead(t, c.path("lvm-mail.toml")))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyTemplates(t, dir, func(name string, b []byte) []byte {
		if name == filepath.Join("en", "reminder.html") {
			return bytes.ReplaceAll(b, []byte("{{.Link}}"), []byte("https://example.com/"))
		}
		return b
	})
	c.invite(3)
	for _, args := range [][]string{{"send", "--campaign", "big"}, {"send", "--campaign", "big", "--dry-run"}, {"preview", "--campaign", "big"}} {
		errOut := c.fails(1, args...)
		if !strings.Contains(errOut, "en/reminder.html does not contain the survey link") {
			t.Errorf("%v: %s", args, errOut)
		}
	}
	if srv.Stats().Connections != 0 {
		t.Error("connected to the server with broken templates")
	}
}

func TestDeliveryHelp(t *testing.T) {
	c := newShell(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"send", "--help"}, "--resend-unknown"},
		{[]string{"remind", "--help"}, "never resent"},
		{[]string{"preview", "--help"}, mailer.PlaceholderToken},
		{[]string{"--help"}, "preview"},
	} {
		if out := c.ok(tc.args...); !strings.Contains(out, tc.want) {
			t.Errorf("lvm-mail %s lacks %q:\n%s", strings.Join(tc.args, " "), tc.want, out)
		}
	}
	for _, args := range [][]string{{"send"}, {"send", "extra"}, {"remind"}, {"preview"}} {
		c.fails(2, args...)
	}
}

// copyTemplates copies the built-in email templates, a folder per
// language, to dir, passing each file's content, by its path under the
// templates folder, through edit.
func copyTemplates(t *testing.T, dir string, edit func(name string, b []byte) []byte) {
	t.Helper()
	src := filepath.Join("..", "..", "templates", "email")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), edit(name, b), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
