package e2e_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/mailer"
)

// raw returns a message's source as Mailpit received it.
func (m *mailpit) raw(t *testing.T, id string) []byte {
	t.Helper()
	resp, err := http.Get(m.api + "/api/v1/message/" + id + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("raw message %s: %s %v", id, resp.Status, err)
	}
	return b
}

// TestDKIMAndOptOutThroughMailpit signs a campaign with a key made by
// 'lvm-mail dkim keygen', verifies every invitation and reminder as Mailpit
// received it with go-msgauth (the name and the subject are not ASCII), and
// stops one person's reminders with the one-click POST of their message's
// List-Unsubscribe header.
func TestDKIMAndOptOutThroughMailpit(t *testing.T) {
	mp := startMailpit(t)
	dir, baseURL := setup(t, mp)
	config := filepath.Join(dir, "lvm-mail.toml")
	text, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	keygen := lvm(t, dir, "dkim", "keygen", "--domain", "e2e.example", "--selector", "e2e", "--out", "dkim.pem")
	rec := regexp.MustCompile(`name:  (\S+)\n  value: (\S.*)\n`).FindStringSubmatch(keygen)
	if rec == nil {
		t.Fatalf("dkim keygen printed no record:\n%s", keygen)
	}
	records := map[string]string{rec[1]: rec[2]}
	signed := strings.Replace(string(text), `organisation = "E2E Ltd"`, `organisation = "Bäckerei Zoë GmbH"`, 1) +
		"[smtp.dkim]\ndomain = \"e2e.example\"\nselector = \"e2e\"\nkey_file = \"dkim.pem\"\n"
	if err := os.WriteFile(config, []byte(signed), 0o600); err != nil {
		t.Fatal(err)
	}
	lvm(t, dir, "staff", "import", "staff.csv")
	lvm(t, dir, "campaign", "create", "--name", "Signed")
	start(t, binary, "--config", config, "--db", filepath.Join(dir, "e2e.db"), "serve")
	waitHTTP(t, baseURL+"/healthz")
	lvm(t, dir, "send", "--campaign", "signed")

	verify := func(what string) map[string][]byte {
		t.Helper()
		byTo := map[string][]byte{}
		for _, m := range mp.messages(t) {
			raw := mp.raw(t, m.ID)
			if _, err := testtool.VerifyDKIM(raw, records); err != nil {
				t.Errorf("%s to %s (%q): %v", what, m.To, m.Subject, err)
			}
			if !strings.Contains(m.Subject, "Bäckerei Zoë GmbH") {
				t.Errorf("%s to %s: subject %q, want the organisation's non-ASCII name", what, m.To, m.Subject)
			}
			byTo[m.To] = raw
		}
		return byTo
	}
	invitations := verify("invitation")
	zoe, ok := invitations["sales1@e2e.example"]
	if d, err := mailer.Decode(zoe); !ok || err != nil || !strings.Contains(d.Get("To"), "Zoë Ångström") {
		t.Errorf("the invitation to Zoë Ångström is missing or misnamed (%v)", err)
	}
	logf(t, "go-msgauth verified the DKIM signatures of %d invitations as Mailpit received them, Zoë Ångström's among them", len(invitations))

	d, err := mailer.Decode(zoe)
	if err != nil {
		t.Fatal(err)
	}
	stop := strings.Trim(d.Get("List-Unsubscribe"), "<>")
	if d.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(stop, baseURL+"/s/") {
		t.Fatalf("List-Unsubscribe %q, List-Unsubscribe-Post %q", stop, d.Get("List-Unsubscribe-Post"))
	}
	resp, err := http.Post(stop, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click POST: %s", resp.Status)
	}

	mp.clear(t)
	lvm(t, dir, "remind", "--campaign", "signed")
	reminders := verify("reminder")
	if _, got := reminders["sales1@e2e.example"]; got || len(reminders) != len(invitations)-1 {
		t.Errorf("%d reminders (Zoë's among them: %v); want everyone but Zoë, who stopped them", len(reminders), got)
	}
	logf(t, "after Zoë's one-click opt-out, %d signed reminders went to everyone else, and each verified", len(reminders))
	if st := lvm(t, dir, "status", "--campaign", "signed"); !strings.Contains(st, "opted out       1") {
		t.Errorf("status does not count the opt-out:\n%s", st)
	}
}
