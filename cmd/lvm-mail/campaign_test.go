package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// importStaff puts people straight into the test database.
func (c *shell) importStaff(people ...campaign.StaffMember) {
	c.t.Helper()
	s, err := campaign.Open(context.Background(), c.path("lvm-mail.db"), campaign.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ImportStaff(context.Background(), people, campaign.ImportOptions{}); err != nil {
		c.t.Fatal(err)
	}
}

func person(email, dept string) campaign.StaffMember {
	return campaign.StaffMember{Email: email, Name: strings.Split(email, "@")[0], Department: dept, Active: true}
}

func TestCampaignLifecycle(t *testing.T) {
	c := newShell(t)
	c.importStaff(person("a@x.test", "Sales"), person("b@x.test", "Sales"), person("c@x.test", "Support"))

	out := c.ok("campaign", "create", "--name", "Q4 Pulse 2026", "--closes", "2099-12-18")
	if !strings.Contains(out, "q4-pulse-2026") || !strings.Contains(out, "3 people") {
		t.Errorf("create said %q", out)
	}
	out = c.ok("campaign", "create", "--name", "Sales only", "--where", "department=Sales")
	if !strings.Contains(out, "2 people") {
		t.Errorf("create --where said %q", out)
	}
	st := c.status("sales-only")
	if st["invited"] != 2.0 || st["pending"] != 2.0 || st["campaign"] != "sales-only" {
		t.Errorf("status --json: %v", st)
	}
	for _, key := range []string{"campaign", "invited", "pending", "sent", "failed", "unknown", "responded"} {
		if _, ok := st[key]; !ok {
			t.Errorf("status --json lacks %q", key)
		}
	}

	errOut := c.fails(1, "campaign", "create", "--name", "q4 pulse 2026")
	if !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate name: %q", errOut)
	}

	out = c.ok("campaign", "list")
	for _, want := range []string{"q4-pulse-2026", "sales-only", "open", "Fri 18 Dec 2099"} {
		if !strings.Contains(out, want) {
			t.Errorf("campaign list lacks %q:\n%s", want, out)
		}
	}

	c.ok("campaign", "close", "sales-only")
	out = c.ok("campaign", "close", "sales-only")
	if !strings.Contains(out, "already closed") {
		t.Errorf("closing twice said %q", out)
	}
	if !strings.Contains(c.ok("status", "--campaign", "sales-only"), "closed") {
		t.Error("status does not show the campaign closed")
	}
	c.fails(1, "status", "--campaign", "nope")
}

func TestCampaignCreateWithSurveyFile(t *testing.T) {
	c := newShell(t)
	c.importStaff(person("a@x.test", "Sales"), person("b@x.test", "Sales"), person("c@x.test", "Support"))
	good := c.write("mini.toml", miniSurvey)
	out := c.ok("campaign", "create", "--name", "Mini", "--survey", good)
	if !strings.Contains(out, "2 questions in 1 dimensions") {
		t.Errorf("create said %q", out)
	}
	bad := c.write("bad.toml", strings.Replace(mustRead(t, good), `"management"`, `"managment"`, 1))
	errOut := c.fails(1, "campaign", "create", "--name", "Bad", "--survey", bad)
	if !strings.Contains(errOut, `unknown pole "managment"`) || !strings.Contains(errOut, "bad.toml") {
		t.Errorf("got %q, want the misspelt pole and the file named", errOut)
	}
	if strings.Contains(c.ok("campaign", "list"), "bad") {
		t.Error("a campaign was stored for an invalid instrument")
	}
	errOut = c.fails(1, "campaign", "create", "--name", "Nobody", "--where", "department=Legal")
	if !strings.Contains(errOut, "no active staff match") {
		t.Errorf("got %q", errOut)
	}
}

func TestTokenKeyGuarded(t *testing.T) {
	c := newShell(t)
	c.importStaff(person("a@x.test", "Sales"))
	c.ok("campaign", "create", "--name", "One")
	if err := removeFile(c.path("lvm-mail.db.key")); err != nil {
		t.Fatal(err)
	}
	errOut := c.fails(1, "campaign", "create", "--name", "Two")
	if !strings.Contains(errOut, "lvm-mail.db.key") {
		t.Errorf("a lost key file must be named, got %q", errOut)
	}
}

// TestClosesInThePast names the date the user gave, not the moment after
// it that the campaign would close at.
func TestClosesInThePast(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", hrExport))
	errOut := c.fails(2, "campaign", "create", "--name", "Late", "--closes", "2025-01-01")
	if !strings.Contains(errOut, "2025-01-01") || strings.Contains(errOut, "2025-01-02") {
		t.Errorf("got %q, want the date given (2025-01-01) and not the day after", errOut)
	}
	today := time.Now().Format(time.DateOnly)
	if out := c.ok("campaign", "create", "--name", "Today", "--closes", today); !strings.Contains(out, "closes") {
		t.Errorf("--closes today (%s): %q", today, out)
	}
}

func TestCreateForOnePerson(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", hrExport))
	if out := c.ok("campaign", "create", "--name", "Solo", "--where", "email=zoe@example.com"); !strings.Contains(out, "1 person invited") {
		t.Errorf("got %q, want \"1 person invited\"", out)
	}
}
