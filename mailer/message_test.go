package mailer_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenNow is the fixed clock of the golden messages.
var goldenNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func goldenComposer(t *testing.T) *mailer.Composer {
	t.Helper()
	tpl, err := mailer.ParseTemplates(templates.Email())
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: "People Team <people@example.com>",
		Organisation: "Example Ltd", Now: func() time.Time { return goldenNow }, Boundary: "lvm-mail-golden-boundary"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func goldenLetter(kind campaign.MessageKind) mailer.Letter {
	camp := &campaign.Campaign{ID: 3, Slug: "autumn-pulse-2026", Name: "Autumn Pulse 2026", MinGroupSize: 5,
		CreatedAt: time.Date(2026, 10, 30, 8, 0, 0, 0, time.UTC), ClosesAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	r := &campaign.Recipient{ID: 17, CampaignID: 3, Email: "zoe@example.com", Name: "Zoë Ångström"}
	return mailer.Letter{Kind: kind, Campaign: camp, Recipient: r,
		Link: mailer.Link(baseURL+"/", "Ab3dEf6hIj9kLm2oPq5sTu8wXy1zAb4dEf7hIj0kLm3"), Reminder: 1}
}

// TestGoldenMessages compares rendered messages, MIME and all, with the
// files in testdata/. Run with -update to rewrite them after a deliberate
// change, and read the diff.
func TestGoldenMessages(t *testing.T) {
	noClose := goldenLetter(campaign.Reminder)
	noClose.Campaign.ClosesAt = time.Time{}
	noClose.Reminder = 2
	test := goldenLetter(campaign.Invitation)
	test.Test = true
	for _, tc := range []struct {
		file   string
		letter mailer.Letter
	}{
		{"invitation.eml", goldenLetter(campaign.Invitation)},
		{"reminder-without-closing-date.eml", noClose},
		{"test-invitation.eml", test},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m, err := goldenComposer(t).Compose(tc.letter)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if _, err := m.WriteTo(&got); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from the rendered message (go test -update rewrites it):\n%s", path, got.String())
			}
		})
	}
}

func TestComposeHeaders(t *testing.T) {
	c := goldenComposer(t)
	compose := func(l mailer.Letter) *mailer.Decoded { return composeDecoded(t, c, l) }
	inv := compose(goldenLetter(campaign.Invitation))
	for _, h := range []struct{ name, want string }{
		{"From", `"People Team" <people@example.com>`},
		{"To", `Zoë Ångström <zoe@example.com>`},
		{"Subject", "How is Example Ltd led and managed? Your anonymous view"},
		{"Date", "Mon, 02 Nov 2026 09:30:00 +0000"},
		{"Message-ID", "<lvm-mail.invitation.r17.c3-1793347200@example.com>"},
		{"Auto-Submitted", "auto-generated"},
		{"Precedence", "bulk"},
		{"X-Auto-Response-Suppress", "All"},
		{"X-LVM-Mail-Test", ""},
		{"User-Agent", ""},
		{"List-Unsubscribe", "<https://survey.example.com/s/Ab3dEf6hIj9kLm2oPq5sTu8wXy1zAb4dEf7hIj0kLm3/stop>"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		{"DKIM-Signature", ""}, // no key configured
	} {
		if got := inv.Get(h.name); got != h.want {
			t.Errorf("invitation %s: got %q, want %q", h.name, got, h.want)
		}
	}
	if !strings.Contains(inv.Text, "Friday 20 November 2026") || !strings.Contains(inv.HTML, "Friday 20 November 2026") {
		t.Errorf("the closing date (the day before ClosesAt) is missing:\n%s", inv.Text)
	}
	if !strings.Contains(words(inv.Text), "at least 5 people") || !strings.Contains(words(inv.HTML), "at least 5 people") {
		t.Errorf("the anonymity threshold is missing from the text:\n%s", inv.Text)
	}
	for _, body := range []string{inv.Text, inv.HTML} {
		if !strings.Contains(body, "/s/Ab3dEf6hIj9kLm2oPq5sTu8wXy1zAb4dEf7hIj0kLm3/stop") {
			t.Errorf("the message does not show how to stop the reminders:\n%s", body)
		}
	}
	if strings.Contains(inv.HTML, "<img") || strings.Contains(inv.HTML, "<script") {
		t.Error("the HTML loads images or scripts: they could leak the link")
	}
	if again := compose(goldenLetter(campaign.Invitation)); again.Get("Message-ID") != inv.Get("Message-ID") {
		t.Errorf("Message-ID changed between two compositions: %s, %s", inv.Get("Message-ID"), again.Get("Message-ID"))
	}
	if strings.Contains(inv.Get("Message-ID"), "Ab3dEf6h") {
		t.Error("the Message-ID contains the token")
	}

	rem := goldenLetter(campaign.Reminder)
	rem.Reminder = 2
	r2 := compose(rem)
	if got, want := r2.Get("Message-ID"), "<lvm-mail.reminder2.r17.c3-1793347200@example.com>"; got != want {
		t.Errorf("reminder Message-ID: got %q, want %q", got, want)
	}
	if r2.Get("In-Reply-To") != inv.Get("Message-ID") || r2.Get("References") != inv.Get("Message-ID") {
		t.Errorf("the reminder does not refer to the invitation: In-Reply-To %q", r2.Get("In-Reply-To"))
	}

	tl := goldenLetter(campaign.Invitation)
	tl.Test = true
	test := compose(tl)
	if !strings.HasPrefix(test.Get("Subject"), "[TEST] ") || test.Get("X-LVM-Mail-Test") != "yes" {
		t.Errorf("test message: subject %q, X-LVM-Mail-Test %q", test.Get("Subject"), test.Get("X-LVM-Mail-Test"))
	}
	if test.Get("Message-ID") == inv.Get("Message-ID") {
		t.Error("a test message shares the invitation's Message-ID: mail systems could drop the real one as a duplicate")
	}
}

func TestNewComposerRefusesBadFrom(t *testing.T) {
	tpl, err := mailer.ParseTemplates(templates.Email())
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"", "people", "People Team people@example.com"} {
		if _, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: from}); err == nil || !strings.Contains(err.Error(), "smtp.from") {
			t.Errorf("from %q: got %v, want an error naming smtp.from", from, err)
		}
	}
}

// builtIn returns a writable copy of the built-in templates.
func builtIn(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(templates.Email(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.Email(), path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 24 {
		t.Fatalf("got %d built-in template files, want 24: six in each of en, de, fr and es", len(m))
	}
	return m
}

func TestParseTemplates(t *testing.T) {
	if _, err := mailer.ParseTemplates(builtIn(t)); err != nil {
		t.Fatalf("the built-in templates: %v", err)
	}
	edit := func(file, old, new string) func(fstest.MapFS) {
		return func(m fstest.MapFS) {
			m[file] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(string(m[file].Data), old, new))}
		}
	}
	for _, tc := range []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"text without link", edit("en/invitation.txt", "{{.Link}}", "(link)"), "en/invitation.txt does not contain the survey link"},
		{"HTML without link", edit("de/reminder.html", "{{.Link}}", "#"), "de/reminder.html does not contain the survey link"},
		{"link only with a closing date", edit("fr/invitation.txt", "{{.Link}}\n{{if .Closes}}", "{{if .Closes}}{{.Link}}"),
			"fr/invitation.txt does not contain the survey link"},
		{"missing file", func(m fstest.MapFS) { delete(m, "es/reminder-subject.txt") }, "es/reminder-subject.txt is missing"},
		{"syntax error", edit("en/invitation.html", "{{.Name}}", "{{.Name"), "en/invitation.html"},
		{"unknown field", edit("en/reminder.txt", "{{.Name}}", "{{.Surname}}"), "en/reminder.txt"},
		{"empty subject", func(m fstest.MapFS) { m["en/invitation-subject.txt"] = &fstest.MapFile{Data: []byte("\n")} }, "en/invitation-subject.txt: the subject is empty"},
		{"files at the top, as before languages", func(m fstest.MapFS) {
			for _, name := range []string{"invitation-subject.txt", "invitation.txt", "invitation.html", "reminder-subject.txt", "reminder.txt", "reminder.html"} {
				m[name] = m["en/"+name]
			}
		}, "is at the top of the templates folder, but templates now live in a folder per language"},
		{"a folder that is no language", func(m fstest.MapFS) { m["drafts/invitation.txt"] = m["en/invitation.txt"] },
			"the folder drafts/ is not named by a language tag"},
		{"a folder not written canonically", func(m fstest.MapFS) { m["de_ch/invitation.txt"] = m["en/invitation.txt"] },
			"the folder de_ch/ is not named by a language tag"},
		{"no folder at all", func(m fstest.MapFS) {
			for name := range m {
				delete(m, name)
			}
			m["README"] = &fstest.MapFile{Data: []byte("x")}
		}, "no folder of templates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := builtIn(t)
			tc.change(m)
			_, err := mailer.ParseTemplates(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// words joins the words of s with single spaces.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestTemplateLanguages: a message is written with the templates of the
// person's language, along its subtags, else of the campaign's default
// language, and says which it used.
func TestTemplateLanguages(t *testing.T) {
	m := builtIn(t)
	for name := range m {
		if strings.HasPrefix(name, "es/") {
			delete(m, name)
		}
	}
	tpl, err := mailer.ParseTemplates(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.Languages(); strings.Join(got, " ") != "de en fr" {
		t.Errorf("languages %v, want the three folders", got)
	}
	for _, tt := range []struct {
		lang, fallback, want string
		own                  bool
	}{
		{"de", "en", "de", true}, {"de-CH", "en", "de", true}, {"fr-CA", "en", "fr", true},
		{"es", "en", "en", false}, {"es", "de", "de", false}, {"es", "it", "", false},
	} {
		if got, own := tpl.Language(tt.lang, tt.fallback); got != tt.want || own != tt.own {
			t.Errorf("Language(%s, default %s): got %q, %v, want %q, %v", tt.lang, tt.fallback, got, own, tt.want, tt.own)
		}
	}
}

func TestComposeEncodesSubject(t *testing.T) {
	tpl, err := mailer.ParseTemplates(templates.Email())
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: "Personalabteilung Müller <hr@mueller.example>",
		Organisation: "Müller & Söhne GmbH", Now: func() time.Time { return goldenNow }})
	if err != nil {
		t.Fatal(err)
	}
	d := composeDecoded(t, c, goldenLetter(campaign.Invitation))
	if got, want := d.Get("Subject"), "How is Müller & Söhne GmbH led and managed? Your anonymous view"; got != want {
		t.Errorf("Subject decodes to %q, want %q", got, want)
	}
	for _, h := range []string{"Subject", "From", "To"} {
		if raw := rawHeader(d, h); !isASCII(raw) || !strings.Contains(strings.ToLower(raw), "=?utf-8?q?") {
			t.Errorf("%s is not RFC 2047 encoded: %q", h, raw)
		}
	}
	if !strings.Contains(d.Text, "Müller & Söhne GmbH would like") || !strings.Contains(d.HTML, "Müller &amp; Söhne GmbH would like") {
		t.Errorf("the organisation is not in the bodies, escaped for HTML:\n%s", d.HTML)
	}
}

// TestGreetsByFirstName: the built-in templates greet with the first name
// when the roster has one, and with the name as written otherwise.
func TestGreetsByFirstName(t *testing.T) {
	c := goldenComposer(t)
	for _, kind := range []campaign.MessageKind{campaign.Invitation, campaign.Reminder} {
		for first, want := range map[string]string{"Zoë": "Hello Zoë,", "": "Hello Zoë Ångström,"} {
			l := goldenLetter(kind)
			l.Recipient.FirstName = first
			if got := c.Data(l).FirstName; got != first {
				t.Errorf("Data(%s).FirstName = %q, want %q", kind, got, first)
			}
			d := composeDecoded(t, c, l)
			if !strings.Contains(d.Text, want) || !strings.Contains(d.HTML, want) {
				t.Errorf("%s with first name %q: want %q in the text and the HTML:\n%s", kind, first, want, d.Text)
			}
		}
	}
}

// composeDecoded composes the letter, writes it out as it would be sent
// and reads it back.
func composeDecoded(t *testing.T, c *mailer.Composer, l mailer.Letter) *mailer.Decoded {
	t.Helper()
	m, err := c.Compose(l)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return decode(t, b.Bytes())
}
