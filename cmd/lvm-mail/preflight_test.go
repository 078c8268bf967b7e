package main

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// mailConfig writes the shell's config: mail to srv, links to baseURL, the
// survey served from listen.
func mailConfig(c *shell, srv *smtptest.Server, baseURL, organisation, from string) {
	c.write("lvm-mail.toml", fmt.Sprintf(`database = %q
base_url = %q
organisation = %q
[smtp]
host = %q
port = %d
tls = "none"
from = %q
rate = 0
retry_backoff = "1ms"
[server]
listen = "127.0.0.1:0"
`, c.path("lvm-mail.db"), baseURL, organisation, srv.Host, srv.Port, from))
}

// TestPreflight checks, against the real serve, what send and remind check
// before the first message: that base_url is a link staff can use and
// reaches a serve on this very database, and that organisation and from
// are no longer the examples. A refused send sends nothing.
func TestPreflight(t *testing.T) {
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const org, from = "Preflight Ltd", "People <people@preflight.example.org>"

	// Another database, with its own serve.
	other := newShell(t)
	surveyDB(t, other)
	mailConfig(other, srv, "http://127.0.0.1:1", org, from)
	otherServe := startServe(t, other)

	c := newShell(t)
	c.write("staff.csv", "email,name,department\nann@example.com,Ann,Sales\nbob@example.com,Bob,Sales\n")
	mailConfig(c, srv, "http://127.0.0.1:1", org, from)
	c.ok("staff", "import", c.path("staff.csv"))
	c.ok("campaign", "create", "--name", "Pulse")
	serve := startServe(t, c)
	here := "http://" + serve.addr

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := "http://" + closed.Addr().String()
	closed.Close()

	for _, tt := range []struct {
		name, baseURL, org, from string
		says                     string
	}{
		{"OtherDatabase", "http://" + otherServe.addr, org, from, "reaches a survey running on another database"},
		{"NothingListening", nobody, org, from, "is 'lvm-mail serve' running there?"},
		{"Fragment", here + "/#x", org, from, "must not have a fragment"},
		{"Query", here + "/?x=1", org, from, "must not have a query"},
		{"Password", "http://hr:secret@" + serve.addr, org, from, "must not hold a user name or password"},
		{"Relative", "survey.example.org/s", org, from, `base_url: "survey.example.org/s" is not an http or https URL`},
		{"ExampleOrganisation", here, "Example Ltd", from, `organisation is still the example "Example Ltd"`},
		{"ExampleFrom", here, org, "People Team <people@example.com>", `smtp.from is still the example`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mailConfig(c, srv, tt.baseURL, tt.org, tt.from)
			for _, cmd := range []string{"send", "remind"} {
				errOut := c.fails(1, cmd, "--campaign", "pulse")
				if !strings.Contains(errOut, tt.says) {
					t.Errorf("%s: %q, want it to say %q", cmd, errOut, tt.says)
				}
			}
			if srv.Count() != 0 {
				t.Fatalf("a refused send sent %d messages", srv.Count())
			}
		})
	}

	// A dry run checks everything but the link, and says so.
	mailConfig(c, srv, nobody, org, from)
	if out := c.ok("send", "--campaign", "pulse", "--dry-run"); !strings.Contains(out, "Check: the survey link (base_url/healthz) was not checked") {
		t.Errorf("the dry run does not say the link was not checked:\n%s", out)
	}
	// --no-link-check sends to a survey this machine cannot reach, and says so.
	if out := c.ok("send", "--campaign", "pulse", "--no-link-check"); !strings.Contains(out, "was not checked") || srv.Count() != 2 {
		t.Errorf("--no-link-check: the server got %d messages; said\n%s", srv.Count(), out)
	}
	// The right database: the check passes and says so.
	mailConfig(c, srv, here+"/", org, from)
	c.ok("campaign", "create", "--name", "Second")
	out := c.ok("send", "--campaign", "second")
	if !regexp.MustCompile(`Check: the survey at http://127\.0\.0\.1:\d+/ answers from this database`).MatchString(out) || srv.Count() != 4 {
		t.Errorf("with base_url at this database's serve: the server got %d messages; said\n%s", srv.Count(), out)
	}
}
