package mailer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/mailer"
)

// TestComposeInEachLanguage: each person gets the email in their
// language, along the tag, with the closing date written the local way,
// the subject and name encoded as RFC 2047 wants, and the HTML marked with
// its language; a language without templates gets the default's.
func TestComposeInEachLanguage(t *testing.T) {
	c := goldenComposer(t)
	tests := []struct {
		roster, lang string
		own          bool
		subject      string
		phrases      []string
	}{
		{"", "en", true, "How is Example Ltd led and managed? Your anonymous view",
			[]string{"Hello Zoë Ångström,", "The survey is open until the end of Friday 20 November 2026."}},
		{"de-CH", "de", true, "Wie erleben Sie Führung und Management bei Example Ltd? Ihre anonyme Meinung",
			[]string{"Guten Tag Zoë Ångström,", "Sie können bis einschließlich Freitag, 20. November 2026 antworten.",
				"Ergebnisse für eine Abteilung oder eine andere Gruppe werden nur gezeigt, wenn mindestens 5 Personen darin geantwortet haben."}},
		{"fr", "fr", true, "Direction et encadrement chez Example Ltd\u00a0: votre avis anonyme",
			[]string{"Bonjour Zoë Ångström,", "Vous pouvez répondre jusqu'au vendredi 20 novembre 2026 inclus."}},
		{"es-MX", "es", true, "¿Cómo se dirige y gestiona Example Ltd? Su opinión anónima",
			[]string{"Hola, Zoë Ångström:", "Puede responder hasta el viernes, 20 de noviembre de 2026 inclusive."}},
		{"pt-BR", "en", true, "How is Example Ltd led and managed? Your anonymous view", []string{"Hello Zoë Ångström,"}},
	}
	for _, tt := range tests {
		t.Run(tt.roster, func(t *testing.T) {
			l := goldenLetter(campaign.Invitation)
			l.Campaign.Instrument = instrument.Default()
			l.Recipient.Language = tt.roster
			if lang, own := c.Language(l); lang != tt.lang || own != tt.own {
				t.Errorf("Language: got %q, %v, want %q, %v", lang, own, tt.lang, tt.own)
			}
			d := composeDecoded(t, c, l)
			if got := d.Get("Subject"); got != tt.subject {
				t.Errorf("Subject: got %q, want %q", got, tt.subject)
			}
			if raw := rawHeader(d, "Subject"); !isASCII(raw) {
				t.Errorf("the raw Subject is not ASCII: %q", raw)
			}
			if raw := rawHeader(d, "To"); !isASCII(raw) || !strings.Contains(d.Get("To"), "Zoë Ångström") {
				t.Errorf("To: raw %q, decoded %q", raw, d.Get("To"))
			}
			text := words(d.Text)
			for _, p := range tt.phrases {
				if !strings.Contains(text, p) {
					t.Errorf("the text lacks %q:\n%s", p, d.Text)
				}
			}
			if !strings.Contains(d.HTML, `<html lang="`+tt.lang+`">`) {
				t.Errorf("the HTML is not marked as %s", tt.lang)
			}
		})
	}

	// preview --language: another language than the person's own.
	l := goldenLetter(campaign.Reminder)
	l.Campaign.Instrument = instrument.Default()
	l.Language = "fr"
	d := c.Data(l)
	if d.Language != "fr" || d.Closes != "vendredi 20 novembre 2026" {
		t.Errorf("a reminder asked in French: language %q, closes %q", d.Language, d.Closes)
	}
}

// TestComposeWithoutDefaultTemplates: when neither the person's language
// nor the campaign's default has templates, nothing is composed.
func TestComposeWithoutDefaultTemplates(t *testing.T) {
	m := builtIn(t)
	for name := range m {
		if !strings.HasPrefix(name, "fr/") {
			delete(m, name)
		}
	}
	tpl, err := mailer.ParseTemplates(m)
	if err != nil {
		t.Fatal(err)
	}
	c, err := mailer.NewComposer(tpl, mailer.ComposerOptions{From: "People Team <people@example.com>", Organisation: "Example Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	l := goldenLetter(campaign.Invitation)
	l.Campaign.Instrument = instrument.Default()
	l.Recipient.Language = "de"
	if _, err := c.Compose(l); err == nil || !strings.Contains(err.Error(), "no email templates in en, the default language of campaign autumn-pulse-2026 (templates: fr)") {
		t.Errorf("got %v, want the missing default templates named", err)
	}
	l.Recipient.Language = "fr-BE"
	if _, err := c.Compose(l); err != nil {
		t.Errorf("a person in French, with French templates: %v", err)
	}
}

// setLanguages gives the fixture's first people the roster languages
// langs, in order, by importing them again.
func (f *fixture) setLanguages(langs ...string) {
	f.t.Helper()
	var staff []campaign.StaffMember
	for i, lang := range langs {
		staff = append(staff, campaign.StaffMember{Email: personEmail(i), Name: names[i%len(names)],
			Department: []string{"Sales", "Support", "Finance"}[i%3], Attributes: map[string]string{campaign.ColumnLanguage: lang}, Active: true})
	}
	if _, err := f.store.ImportStaff(context.Background(), staff, campaign.ImportOptions{}); err != nil {
		f.t.Fatal(err)
	}
}
