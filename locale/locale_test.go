package locale_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/locale"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{"de": "de", "de_ch": "de-CH", "FR-ca": "fr-CA", " pt-BR ": "pt-BR", "deu": "de"} {
		if got, err := locale.Parse(in); got != want || err != nil {
			t.Errorf("Parse(%q): got %q, %v, want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"english": "is not a BCP 47 language tag",
		"xx":      "is not a BCP 47 language tag",
		"de DE":   "is not a BCP 47 language tag",
		"und":     "names no language",
		"":        "no language tag",
	} {
		if _, err := locale.Parse(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): got %v, want an error saying %q", in, err, want)
		}
	}
}

func TestDates(t *testing.T) {
	day := time.Date(2026, 12, 13, 9, 0, 0, 0, time.UTC)
	first := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		lang       string
		date, long string
		first      string
	}{
		{"en", "13 December 2026", "Sunday 13 December 2026", "1 March 2026"},
		{"en-GB", "13 December 2026", "Sunday 13 December 2026", "1 March 2026"},
		{"de", "13. Dezember 2026", "Sonntag, 13. Dezember 2026", "1. März 2026"},
		{"de-CH", "13. Dezember 2026", "Sonntag, 13. Dezember 2026", "1. März 2026"},
		{"fr", "13 décembre 2026", "dimanche 13 décembre 2026", "1er mars 2026"},
		{"es", "13 de diciembre de 2026", "domingo, 13 de diciembre de 2026", "1 de marzo de 2026"},
		{"it", "2026-12-13", "2026-12-13", "2026-03-01"},
	}
	for _, tt := range tests {
		if got := locale.Date(day, tt.lang); got != tt.date {
			t.Errorf("Date(%s): got %q, want %q", tt.lang, got, tt.date)
		}
		if got := locale.LongDate(day, tt.lang); got != tt.long {
			t.Errorf("LongDate(%s): got %q, want %q", tt.lang, got, tt.long)
		}
		if got := locale.Date(first, tt.lang); got != tt.first {
			t.Errorf("Date(%s) of the 1st: got %q, want %q", tt.lang, got, tt.first)
		}
	}
}

func TestNames(t *testing.T) {
	for tag, want := range map[string]string{"de": "Deutsch", "fr": "Français", "es": "Español", "en": "English", "xx": "xx"} {
		if got := locale.SelfName(tag); got != want {
			t.Errorf("SelfName(%s): got %q, want %q", tag, got, want)
		}
	}
	for _, tt := range []struct{ tag, in, want string }{
		{"de", "en", "German"}, {"fr", "de", "Französisch"}, {"en", "es", "inglés"}, {"es", "fr", "espagnol"}, {"xx", "en", "xx"},
	} {
		if got := locale.Name(tt.tag, tt.in); got != tt.want {
			t.Errorf("Name(%s in %s): got %q, want %q", tt.tag, tt.in, got, tt.want)
		}
	}
}

func TestDecimal(t *testing.T) {
	for _, tt := range []struct {
		v      float64
		places int
		lang   string
		want   string
	}{
		{57.46, 1, "en", "57.5"}, {57.46, 1, "de", "57,5"}, {-3.25, 2, "fr", "−3,25"}, {0.5, 1, "es-MX", "0,5"}, {12, 0, "de", "12"},
	} {
		if got := locale.Decimal(tt.v, tt.places, tt.lang); got != tt.want {
			t.Errorf("Decimal(%v, %d, %s): got %q, want %q", tt.v, tt.places, tt.lang, got, tt.want)
		}
	}
}
