package instrument_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
)

// TestDefaultTranslations: the built-in instrument can be answered in
// English, German, French and Spanish, every translation complete and
// really translated, its statements short enough for a phone.
func TestDefaultTranslations(t *testing.T) {
	in := instrument.Default()
	if got := in.Languages(); !slices.Equal(got, []string{"en", "de", "fr", "es"}) {
		t.Fatalf("languages %v, want [en de fr es]", got)
	}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, lang := range in.Languages()[1:] {
		tr := in.Translated(lang)
		if tr.Language != lang || tr.Comment == "" || tr.Intro == "" {
			t.Errorf("%s: language %q, intro %q, comment %q", lang, tr.Language, tr.Intro, tr.Comment)
		}
		for i, it := range tr.Items {
			if it.Text == in.Items[i].Text {
				t.Errorf("%s: %s is the English text, untranslated", lang, it.ID)
			}
			if n := utf8.RuneCountInString(it.Text); n > 140 {
				t.Errorf("%s: %s is %d characters: keep statements short enough for a phone", lang, it.ID, n)
			}
		}
	}
	if got := in.Translated("de").Items[0].Text; !strings.HasPrefix(got, "Wenn hier Pläne gemacht werden") {
		t.Errorf("the German focus-l reads %q", got)
	}
}

func mini(t *testing.T) campaign.Instrument {
	t.Helper()
	in, err := instrument.Load(filepath.Join("testdata", "mini.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestLoadTranslation(t *testing.T) {
	in := mini(t)
	tr, err := instrument.LoadTranslation(filepath.Join("testdata", "mini.de.toml"), &in)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Language != "de" || tr.Title != "Mini" || len(tr.Items) != 2 || tr.Items[1].Text != "Systeme zuerst." || tr.Comment != "Sonst noch etwas?" {
		t.Errorf("got %+v", tr)
	}
	in.SetTranslation(tr)
	if err := in.Validate(); err != nil {
		t.Errorf("the instrument with its translation: %v", err)
	}
	tr.Title = "Mini 2"
	in.SetTranslation(tr)
	if len(in.Translations) != 1 || in.Translations[0].Title != "Mini 2" {
		t.Errorf("a second German translation should replace the first: %+v", in.Translations)
	}
}

// TestBrokenTranslations: each broken file is refused with every problem
// named, by the file, the field and the id.
func TestBrokenTranslations(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"missing-item.de.toml", []string{`item "focus-m": missing: the translation has no [[item]] with id = "focus-m"`}},
		{"extra-item.de.toml", []string{`item "focus-x": extra: the instrument has no item "focus-x"`}},
		{"wrong-tag.toml", []string{`language: "german" is not a BCP 47 language tag such as "de", "fr-CA" or "pt-BR"`}},
		{"empty-text.de.toml", []string{`dimension "focus".name: missing`, `item "focus-m".text: missing`}},
		{"swapped.de.toml", []string{`item "focus-l".pole: "management", but in the instrument it is "leadership": is the text under the right id?`,
			`item "focus-m".pole: "leadership", but in the instrument it is "management"`}},
		{"unknown-key.de.toml", []string{`item.statement: unknown key`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := mini(t)
			path := filepath.Join("testdata", tt.file)
			_, err := instrument.LoadTranslation(path, &in)
			var ie *campaign.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *InputError", err)
			}
			if ie.Source != path {
				t.Errorf("the error names %q, want the file %q", ie.Source, path)
			}
			if len(ie.Problems) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(ie.Problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got:\n%v\nwant it to name: %s", err, w)
				}
			}
		})
	}
}

func TestTranslationOfOwnLanguage(t *testing.T) {
	in := mini(t)
	text := strings.Replace(`language = "EN-gb"
title = "Mini"
intro = "Hi"
comment = "More?"
[[dimension]]
id = "focus"
name = "People"
[[item]]
id = "focus-l"
text = "People."
[[item]]
id = "focus-m"
text = "Systems."`, "EN-gb", "en", 1)
	_, err := instrument.ParseTranslation(text, "en.toml", &in)
	if err == nil || !strings.Contains(err.Error(), `"en" is the instrument's own language`) {
		t.Errorf("got %v, want a refusal of a translation into the instrument's own language", err)
	}
}

func TestInstrumentLanguageKey(t *testing.T) {
	if got := mini(t).Language; got != "en" {
		t.Errorf("language = %q, want en", got)
	}
	_, err := instrument.Parse("language = \"klingonisch\"\ntitle = \"x\"", "x.toml")
	if err == nil || !strings.Contains(err.Error(), `x.toml: language: "klingonisch" is not a BCP 47 language tag`) {
		t.Errorf("got %v, want the bad tag named", err)
	}
}
