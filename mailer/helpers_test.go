package mailer_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
	"github.com/lvm-mail/lvm-mail/templates"
)

const baseURL = "https://survey.example.com"

// fixture is a campaign in a real SQLite file, with its key.
type fixture struct {
	t     testing.TB
	path  string
	store *campaign.Store
	camp  *campaign.Campaign
	key   *campaign.TokenKey
	now   func() time.Time
	sqlDB *sql.DB
}

// names gives people names, some of them far from ASCII.
var names = []string{"Zoë Ångström", "José Müller", "Łukasz Żółć", "李雷", "Ann Archer", "O'Brien, Pat", "Bob Baker"}

func personEmail(i int) string { return fmt.Sprintf("person%03d@example.com", i) }

// newFixture makes a campaign with n people.
func newFixture(t testing.TB, n int) *fixture {
	t.Helper()
	return newFixtureAt(t, n, time.Now)
}

func newFixtureAt(t testing.TB, n int, now func() time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := campaign.Open(ctx, path, campaign.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var staff []campaign.StaffMember
	for i := range n {
		staff = append(staff, campaign.StaffMember{Email: personEmail(i), Name: names[i%len(names)],
			Department: []string{"Sales", "Support", "Finance"}[i%3], Active: true})
	}
	if _, err := s.ImportStaff(ctx, staff, campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var key campaign.TokenKey
	copy(key[:], "a key for the mailer tests, 32 b")
	c, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Autumn Pulse", Instrument: instrument.Default(),
		MinGroupSize: 5, ClosesAt: now().Add(30 * 24 * time.Hour)}, &key)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, path: path, store: s, camp: c, key: &key, now: now}
}

func startServer(t testing.TB, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func senderConfig(srv *smtptest.Server) mailer.Config {
	return mailer.Config{Host: srv.Host, Port: srv.Port, TLS: mailer.TLSNone, Concurrency: 4,
		MaxRetries: 5, RetryBackoff: time.Millisecond, Timeout: 5 * time.Second}
}

func newComposer(t testing.TB, now func() time.Time) *mailer.Composer {
	t.Helper()
	tpl, err := mailer.ParseTemplates(templates.Email())
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: "People Team <people@example.com>",
		Organisation: "Example Ltd", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run returns a Run of kind over the fixture's campaign to srv.
func (f *fixture) run(kind campaign.MessageKind, cfg mailer.Config) *mailer.Run {
	f.t.Helper()
	snd, err := mailer.NewSender(cfg, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return &mailer.Run{Store: f.store, Campaign: f.camp, Key: f.key, BaseURL: baseURL,
		Composer: newComposer(f.t, f.now), Sender: snd, Holder: "test run", Now: f.now,
		Round: campaign.Round{Kind: kind, Reminders: campaign.ReminderPolicy{Max: 2, After: time.Hour}}}
}

func (f *fixture) status() campaign.Status {
	f.t.Helper()
	st, err := f.store.CampaignStatus(context.Background(), f.camp)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// db opens the fixture's SQLite file directly, for what the store does not
// show (token hashes) and for what other commands do (responding).
func (f *fixture) db() *sql.DB {
	f.t.Helper()
	if f.sqlDB != nil {
		return f.sqlDB
	}
	db, err := sql.Open("sqlite3", "file:"+f.path+"?_busy_timeout=10000")
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { db.Close() })
	f.sqlDB = db
	return db
}

// tokenHash returns the stored token hash of the recipient with email.
func (f *fixture) tokenHash(email string) []byte {
	f.t.Helper()
	var h []byte
	err := f.db().QueryRow(`SELECT r.token_hash FROM recipients r JOIN staff s ON s.id = r.staff_id
		WHERE r.campaign_id = ? AND s.email = ?`, f.camp.ID, email).Scan(&h)
	if err != nil {
		f.t.Fatalf("token hash of %s: %v", email, err)
	}
	return h
}

// respond marks a recipient as having responded, as serve does.
func (f *fixture) respond(email string) {
	f.t.Helper()
	ctx := context.Background()
	r, err := f.store.FindRecipientByEmail(ctx, f.camp.ID, email)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.RecordResponse(ctx, r.Token(f.key), map[string]int{f.camp.Instrument.Items[0].ID: 3}, ""); err != nil {
		f.t.Fatal(err)
	}
}

var linkRE = regexp.MustCompile(regexp.QuoteMeta(baseURL) + `/s/([A-Za-z0-9_-]+)`)

// tokenIn returns the token of the one survey link in s.
func tokenIn(t testing.TB, s string) string {
	t.Helper()
	ms := linkRE.FindAllStringSubmatch(s, -1)
	if len(ms) == 0 {
		t.Fatalf("no survey link in\n%s", s)
	}
	for _, m := range ms[1:] {
		if m[1] != ms[0][1] {
			t.Fatalf("two different links in one message: %s and %s", ms[0][0], m[0])
		}
	}
	return ms[0][1]
}

// byRecipient groups the server's messages by envelope recipient.
func byRecipient(msgs []smtptest.Message) map[string][]smtptest.Message {
	out := map[string][]smtptest.Message{}
	for _, m := range msgs {
		for _, to := range m.To {
			out[strings.ToLower(to)] = append(out[strings.ToLower(to)], m)
		}
	}
	return out
}

func decode(t testing.TB, raw []byte) *mailer.Decoded {
	t.Helper()
	d, err := mailer.Decode(raw)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
	return d
}

// rawHeader returns the raw (still encoded) value of a header of a message.
func rawHeader(d *mailer.Decoded, name string) string {
	for _, f := range d.Header {
		if strings.EqualFold(f.Name, name) {
			return f.Raw
		}
	}
	return ""
}
