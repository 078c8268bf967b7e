package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// tokenInMail returns the token of the survey link in the server's message
// to addr, and how many messages addr got.
func tokenInMail(t *testing.T, srv *smtptest.Server, addr string) (string, int) {
	t.Helper()
	var tok string
	n := 0
	for _, m := range srv.Messages() {
		if len(m.To) != 1 || m.To[0] != addr {
			continue
		}
		d, err := mailer.Decode(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if link := linkRE.FindStringSubmatch(d.Text); link != nil {
			tok = link[1]
		}
		n++
	}
	return tok, n
}

// TestFixingMistakes runs a campaign through the mistakes HR fixes without
// starting again: an address the server refuses is corrected and the
// invitation resent with the same link; a new hire is added; the closing
// date is moved; a campaign made by mistake is deleted; and a closed
// campaign whose group results were reported is not reopened.
func TestFixingMistakes(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{Refuse: []string{"jon.smiht@example.com"}}, "")
	roster := "email,name,department\n"
	for i := range 6 {
		roster += fmt.Sprintf("p%d@example.com,Person %d,Sales\n", i, i)
	}
	c.write("staff.csv", roster+"jon.smiht@example.com,Jon Smith,Sales\n")
	c.ok("staff", "import", c.path("staff.csv"))
	c.ok("campaign", "create", "--name", "Pulse", "--closes", "2099-01-10")

	// A mistyped address: refused for good, corrected, sent again.
	c.ok("send", "--campaign", "pulse")
	if st := c.status("pulse"); st["failed"] != 1.0 || st["sent"] != 6.0 {
		t.Fatalf("after the first send: %v, want 6 sent and the typo failed", st)
	}
	before := c.tokensOf("pulse")["jon.smiht@example.com"]
	out := c.ok("staff", "set-email", "jon.smiht@example.com", "Jon.Smith@example.com")
	if !strings.Contains(out, "lvm-mail send --campaign pulse --retry-failed") {
		t.Errorf("set-email does not say how to resend the refused invitation:\n%s", out)
	}
	if errOut := c.fails(1, "staff", "set-email", "nobody@example.com", "x@example.com"); !strings.Contains(errOut, "no one on the roster has the address nobody@example.com") {
		t.Errorf("set-email of an unknown address: %q", errOut)
	}
	if errOut := c.fails(1, "staff", "set-email", "p0@example.com", "jon.smith@example.com"); !strings.Contains(errOut, "belongs to someone else") {
		t.Errorf("set-email to a taken address: %q", errOut)
	}
	c.ok("send", "--campaign", "pulse") // a plain send leaves refused invitations alone
	if _, n := tokenInMail(t, srv, "jon.smith@example.com"); n != 0 {
		t.Fatalf("a plain send resent a refused invitation")
	}
	c.ok("send", "--campaign", "pulse", "--retry-failed")
	tok, n := tokenInMail(t, srv, "jon.smith@example.com")
	if n != 1 || tok != before {
		t.Errorf("after the fix: %d messages to the corrected address, with the same link: %v; want 1, true", n, tok == before)
	}
	if st := c.status("pulse"); st["failed"] != 0.0 || st["sent"] != 7.0 {
		t.Errorf("after --retry-failed: %v, want all 7 sent", st)
	}
	if srv.Count() != 7 {
		t.Errorf("the server got %d messages, want 7: one each", srv.Count())
	}

	// A new hire joins; the next send invites only them.
	c.write("staff.csv", roster+"jon.smith@example.com,Jon Smith,Sales\nnew@example.com,New Hire,Support\n")
	c.ok("staff", "import", c.path("staff.csv"))
	if out := c.ok("campaign", "add", "--campaign", "pulse"); !strings.Contains(out, "Added 1 person to campaign pulse") {
		t.Errorf("campaign add said:\n%s", out)
	}
	if out := c.ok("campaign", "add", "--campaign", "pulse"); !strings.Contains(out, "invited already") {
		t.Errorf("campaign add again said:\n%s", out)
	}
	c.ok("send", "--campaign", "pulse")
	if _, n := tokenInMail(t, srv, "new@example.com"); n != 1 || srv.Count() != 8 {
		t.Errorf("the new hire got %d invitations and the server %d messages; want 1 and 8", n, srv.Count())
	}
	if st := c.status("pulse"); st["invited"] != 8.0 {
		t.Errorf("status after adding: %v, want 8 invited", st)
	}
	sizes := c.groupSizes("pulse")
	if sizes["department=Sales"] != 7 || sizes["department=Support"] != 1 {
		t.Errorf("group sizes %v: want Sales 7 and Support 1", sizes)
	}

	// The closing date moves later, never earlier.
	if out := c.ok("campaign", "extend", "--closes", "2099-02-01", "pulse"); !strings.Contains(out, "until the end of Sun 1 Feb 2099") {
		t.Errorf("extend said:\n%s", out)
	}
	if errOut := c.fails(2, "campaign", "extend", "--closes", "2099-01-20", "pulse"); !strings.Contains(errOut, "choose a later day") {
		t.Errorf("extend to an earlier day: %q", errOut)
	}
	if out := c.ok("campaign", "list"); !strings.Contains(out, "Sun 1 Feb 2099") {
		t.Errorf("campaign list does not show the new date:\n%s", out)
	}

	// Closed, and its results by group reported: reopening is refused.
	c.ok("campaign", "close", "pulse")
	c.ok("report", "--campaign", "pulse", "--format", "json")
	if errOut := c.fails(1, "campaign", "reopen", "pulse"); !strings.Contains(errOut, "a report with results by group was written after it closed") {
		t.Errorf("reopen after a group report: %q", errOut)
	}
	if errOut := c.fails(1, "campaign", "extend", "--closes", "2099-03-01", "pulse"); !strings.Contains(errOut, "has closed") {
		t.Errorf("extend a closed campaign: %q", errOut)
	}

	// Closed without a group report: it may open again.
	c.ok("campaign", "create", "--name", "Second")
	c.ok("campaign", "close", "second")
	if out := c.ok("campaign", "reopen", "second"); !strings.Contains(out, "open again") {
		t.Errorf("reopen said:\n%s", out)
	}
	if st := c.status("second"); st["invited"] != 8.0 {
		t.Errorf("the reopened campaign: %v", st)
	}

	// Made by mistake and never sent: deleted. Sent: refused.
	if out := c.ok("campaign", "delete", "second"); !strings.Contains(out, "Deleted campaign Second") {
		t.Errorf("delete said:\n%s", out)
	}
	if errOut := c.fails(1, "status", "--campaign", "second"); !strings.Contains(errOut, `no campaign "second"`) {
		t.Errorf("the deleted campaign is still there: %q", errOut)
	}
	if errOut := c.fails(1, "campaign", "delete", "pulse"); !strings.Contains(errOut, "has sent messages, so it cannot be deleted") {
		t.Errorf("delete a campaign that sent: %q", errOut)
	}
}

// groupSizes returns how many each breakdown group of a campaign invited.
func (c *shell) groupSizes(slug string) map[string]int {
	c.t.Helper()
	s, camp := c.openCampaign(slug)
	defer s.Close()
	sizes, err := s.FindGroupSizes(context.Background(), camp.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string]int{}
	for _, g := range sizes {
		out[g.Column+"="+g.Value] = g.Invited
	}
	return out
}

// TestRemindOncePerRun: with remind_after = 0s and room for two reminders,
// one remind run is one round: each person gets one reminder, and the
// progress never counts past the people due.
func TestRemindOncePerRun(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	c.invite(40)
	text := mustRead(t, c.path("lvm-mail.toml"))
	c.write("lvm-mail.toml", strings.Replace(text, "max_reminders = 1", "max_reminders = 2", 1))
	c.ok("send", "--campaign", "big")
	srv.Reset()
	out := c.ok("remind", "--campaign", "big")
	got := perPerson(t, srv, c.tokens())
	for email, n := range got {
		if n != 1 {
			t.Errorf("%s got %d reminders from one run, want 1", email, n)
		}
	}
	if len(got) != 40 {
		t.Errorf("%d people reminded, want 40", len(got))
	}
	for _, m := range regexp.MustCompile(`(\d+) of (\d+) done`).FindAllStringSubmatch(out, -1) {
		if done, total := atoi(t, m[1]), atoi(t, m[2]); done > total || total != 40 {
			t.Errorf("the progress says %s", m[0])
		}
	}
	srv.Reset()
	c.ok("remind", "--campaign", "big") // the second round
	if srv.Count() != 40 {
		t.Errorf("the second run sent %d reminders, want 40 (one each)", srv.Count())
	}
	srv.Reset()
	c.ok("remind", "--campaign", "big") // max_reminders reached
	if srv.Count() != 0 {
		t.Errorf("a third run sent %d reminders, want none", srv.Count())
	}
}

// TestCountsAgreeAfterConnectionFailure: when the mail server cannot be
// reached, or refuses the TLS that is asked for, the summary, the progress
// and status tell the same story: nothing sent, everyone still due.
func TestCountsAgreeAfterConnectionFailure(t *testing.T) {
	for _, tt := range []struct {
		name, tls string
		closed    bool
	}{
		{"Refused", "none", true},
		{"NoSTARTTLS", "starttls", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := newMailShell(t, smtptest.Options{}, "")
			c.invite(32)
			text := mustRead(t, c.path("lvm-mail.toml"))
			text = strings.Replace(text, `tls = "none"`, `tls = "`+tt.tls+`"`, 1)
			text = strings.Replace(text, "max_retries = 10", "max_retries = 1", 1)
			c.write("lvm-mail.toml", text)
			if tt.closed {
				srv.Close()
			}
			out, errOut, code := c.run("send", "--campaign", "big")
			if code != 1 {
				t.Fatalf("send: exit %d\n%s%s", code, out, errOut)
			}
			if !regexp.MustCompile(`(?m)^  left +32 `).MatchString(out) || !regexp.MustCompile(`(?m)^  sent +0$`).MatchString(out) {
				t.Errorf("the summary does not say 0 sent and 32 left:\n%s", out)
			}
			if regexp.MustCompile(`[1-9]\d* of 32 done`).MatchString(out) {
				t.Errorf("the progress counts messages never sent as done:\n%s", out)
			}
			if !strings.Contains(errOut, "the 32 left stay due") {
				t.Errorf("the error does not say what is left: %q", errOut)
			}
			if st := c.status("big"); st["pending"] != 32.0 || st["sent"] != 0.0 || st["unknown"] != 0.0 {
				t.Errorf("status: %v, want 32 pending", st)
			}
		})
	}
}

// TestCloseAsksOnATerminal: closing early, with people who have not
// answered, asks first on a terminal (a real pseudo-terminal here); --yes
// does not ask, and neither does anything run from a script.
func TestCloseAsksOnATerminal(t *testing.T) {
	c := newShell(t)
	c.importStaff(person("a@x.test", "Sales"), person("b@x.test", "Sales"))
	c.ok("campaign", "create", "--name", "Early", "--closes", "2099-12-18")
	c.ok("campaign", "create", "--name", "Script")

	tty := func(answer string, args ...string) (string, error) {
		master, slave := openPTY(t)
		defer master.Close()
		defer slave.Close()
		master.WriteString(answer)
		var out strings.Builder
		err := run(context.Background(), append([]string{"lvm-mail", "--db", c.path("lvm-mail.db")}, args...),
			func(string) string { return "" }, slave, &out, &out)
		return out.String(), err
	}
	out, err := tty("n\n", "campaign", "close", "early")
	if err != nil || !strings.Contains(out, "2 of 2 invited have not answered, and it closes on Fri 18 Dec 2099") || !strings.Contains(out, "Not closed.") {
		t.Errorf("answering no: %v\n%s", err, out)
	}
	if st := c.status("early"); st["campaign"] != "early" || strings.Contains(c.ok("campaign", "list"), "early  Early  closed") {
		t.Errorf("closed although the answer was no")
	}
	out, err = tty("y\n", "campaign", "close", "early")
	if err != nil || !strings.Contains(out, "Closed campaign early") {
		t.Errorf("answering yes: %v\n%s", err, out)
	}
	c.ok("campaign", "reopen", "early")
	out, err = tty("", "campaign", "close", "--yes", "early")
	if err != nil || strings.Contains(out, "[y/N]") || !strings.Contains(out, "Closed campaign early") {
		t.Errorf("--yes: %v\n%s", err, out)
	}
	if out := c.ok("campaign", "close", "script"); strings.Contains(out, "[y/N]") || !strings.Contains(out, "Closed campaign script") {
		t.Errorf("not on a terminal, close asked or did not close:\n%s", out)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// openPTY opens a pseudo-terminal pair: what is written to master is read
// from slave, which is a terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminals here: %v", err)
	}
	name, err := ptsName(m)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	s, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	return m, s
}

// ptsName unlocks the pseudo-terminal master m and returns its slave's name.
func ptsName(m *os.File) (string, error) {
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		return "", err
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		return "", err
	}
	return "/dev/pts/" + strconv.Itoa(n), nil
}

// TestStatusParticipationAndReminders: status shows participation by group
// (groups of at least min_group_size invited; smaller ones pooled, and left
// out while the pool is small too) and where the reminders stand.
func TestStatusParticipationAndReminders(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{}, "")
	roster := "email,name,department,location\n"
	for i := range 12 {
		roster += fmt.Sprintf("s%d@example.com,Sales %d,Sales,%s\n", i, i, []string{"Leeds", "York"}[i%2])
	}
	roster += "l0@example.com,Legal 0,Legal,Leeds\nl1@example.com,Legal 1,Legal,York\n"
	c.write("staff.csv", roster)
	c.ok("staff", "import", c.path("staff.csv"))
	c.ok("campaign", "create", "--name", "Big", "--breakdown", "location")
	text := mustRead(t, c.path("lvm-mail.toml"))
	c.write("lvm-mail.toml", strings.Replace(text, `remind_after = "0s"`, `remind_after = "72h"`, 1))
	c.ok("send", "--campaign", "big")
	for _, who := range []string{"s0@example.com", "s1@example.com", "s2@example.com", "l0@example.com"} {
		c.respond(who)
	}

	st := c.status("big")
	got := map[string]string{}
	for _, p := range st["participation"].([]any) {
		p := p.(map[string]any)
		got[fmt.Sprint(p["column"], "=", p["value"])] = fmt.Sprint(p["responded"], "/", p["invited"])
	}
	want := map[string]string{"department=Sales": "3/12", "location=Leeds": "3/7", "location=York": "1/7"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("participation %v, want %v (Legal, 2 invited, pooled and left out)", got, want)
	}
	r := st["reminders"].(map[string]any)
	if r["answered"] != 4.0 || r["not_due_yet"] != 10.0 || r["due_now"] != 0.0 || r["next_due"] == nil {
		t.Errorf("reminders %v, want 4 answered and 10 not due for 72 hours", r)
	}
	out := c.ok("status", "--campaign", "big")
	for _, want := range []string{`department\s+Sales\s+3 of 12\s+25%`, `not due yet\s+10\s+the first from`, `answered\s+4\n`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("status lacks %s:\n%s", want, out)
		}
	}

	c.write("lvm-mail.toml", text) // remind_after 0s, max 1
	c.ok("remind", "--campaign", "big")
	r = c.status("big")["reminders"].(map[string]any)
	if r["answered"] != 4.0 || r["max_reached"] != 10.0 || r["due_now"] != 0.0 || srv.Count() != 24 {
		t.Errorf("after the reminder round: %v and %d messages, want 4 answered, 10 with every reminder, 24 messages", r, srv.Count())
	}

	// Without the key file, who has answered cannot be told.
	if err := os.Rename(c.path("lvm-mail.db.key"), c.path("elsewhere.key")); err != nil {
		t.Fatal(err)
	}
	st = c.status("big")
	if st["reminders"] != nil || !strings.Contains(fmt.Sprint(st["reminders_note"]), "is needed to tell who has answered") {
		t.Errorf("without the key: reminders %v, note %v", st["reminders"], st["reminders_note"])
	}
}
