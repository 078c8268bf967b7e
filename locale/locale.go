// Package locale writes what differs from one language to the next
// outside the texts themselves: language tags, the names of languages,
// dates and decimal numbers. It knows the languages lvm-mail ships in
// (English, German, French and Spanish) and falls back to neutral forms
// for any other.
package locale

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// Parse checks that tag is a BCP 47 language tag of a known language and
// returns it in canonical form: "de_ch" gives "de-CH", "deu" gives "de".
// The error says what is wrong in words for the person who wrote it.
func Parse(tag string) (string, error) {
	t, err := language.Parse(strings.TrimSpace(tag))
	switch {
	case strings.TrimSpace(tag) == "":
		return "", fmt.Errorf("no language tag: write one such as \"de\", \"fr-CA\" or \"pt-BR\"")
	case err != nil:
		return "", fmt.Errorf("%q is not a BCP 47 language tag such as \"de\", \"fr-CA\" or \"pt-BR\" (%v)", tag, err)
	case t == language.Und:
		return "", fmt.Errorf("%q names no language: write one such as \"de\", \"fr-CA\" or \"pt-BR\"", tag)
	}
	return t.String(), nil
}

// Known reports whether tag parses as a known language (see Parse).
func Known(tag string) bool {
	_, err := Parse(tag)
	return err == nil
}

// Name returns the name of the language tag in the language in, as it is
// written within a sentence ("German" in English, "Deutsch" in German,
// "allemand" in French), or tag itself when either is unknown.
func Name(tag, in string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	namer := display.Tags(language.Make(in))
	if namer == nil {
		return tag
	}
	if n := namer.Name(t); n != "" && n != namer.Name(language.Und) {
		return n
	}
	return tag
}

// SelfName returns the name of the language tag in that language, with a
// capital, as a list of languages to choose from shows it: "Deutsch",
// "Français", "Español"; tag itself when it is unknown.
func SelfName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Self.Name(t); n != "" {
		return UpperFirst(n)
	}
	return tag
}

// UpperFirst returns s with its first letter in upper case, as a label
// starts: "allemand" gives "Allemand".
func UpperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// A calendar is how a language writes dates.
type calendar struct {
	months   [12]string
	weekdays [7]string // from Sunday
	// day writes the day of the month, date a date from its parts, and
	// long a date with its weekday.
	day  func(d int) string
	date func(day, month string, year int) string
	long func(weekday, date string) string
	// decimalComma: 57,5 rather than 57.5.
	decimalComma bool
}

var calendars = map[string]*calendar{
	"en": {
		months:   [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		day:      func(d int) string { return fmt.Sprint(d) },
		date:     func(day, month string, year int) string { return fmt.Sprintf("%s %s %d", day, month, year) },
		long:     func(weekday, date string) string { return weekday + " " + date },
	},
	"de": {
		months:       [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		weekdays:     [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		day:          func(d int) string { return fmt.Sprintf("%d.", d) },
		date:         func(day, month string, year int) string { return fmt.Sprintf("%s %s %d", day, month, year) },
		long:         func(weekday, date string) string { return weekday + ", " + date },
		decimalComma: true,
	},
	"fr": {
		months:   [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		weekdays: [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		day: func(d int) string {
			if d == 1 {
				return "1er"
			}
			return fmt.Sprint(d)
		},
		date:         func(day, month string, year int) string { return fmt.Sprintf("%s %s %d", day, month, year) },
		long:         func(weekday, date string) string { return weekday + " " + date },
		decimalComma: true,
	},
	"es": {
		months:       [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		weekdays:     [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		day:          func(d int) string { return fmt.Sprint(d) },
		date:         func(day, month string, year int) string { return fmt.Sprintf("%s de %s de %d", day, month, year) },
		long:         func(weekday, date string) string { return weekday + ", " + date },
		decimalComma: true,
	},
}

// Languages lists the languages whose dates and numbers this package
// writes in their own way.
func Languages() []string { return []string{"en", "de", "fr", "es"} }

// calendarOf returns the calendar of lang, along its subtags ("fr-CA"
// writes dates as "fr" does), or nil.
func calendarOf(lang string) *calendar {
	if l, ok := campaign.MatchLanguage(lang, Languages()); ok {
		return calendars[l]
	}
	return nil
}

// Date writes the day of t the way lang does: "13 December 2026",
// "13. Dezember 2026", "13 décembre 2026", "13 de diciembre de 2026". For
// a language it does not know, it writes 2026-12-13, which any reader can
// read.
func Date(t time.Time, lang string) string {
	c := calendarOf(lang)
	if c == nil {
		return t.Format(time.DateOnly)
	}
	return c.date(c.day(t.Day()), c.months[t.Month()-1], t.Year())
}

// LongDate writes the day of t with its weekday: "Sunday 13 December
// 2026", "Sonntag, 13. Dezember 2026", "dimanche 13 décembre 2026",
// "domingo, 13 de diciembre de 2026"; 2026-12-13 for a language it does
// not know.
func LongDate(t time.Time, lang string) string {
	c := calendarOf(lang)
	if c == nil {
		return t.Format(time.DateOnly)
	}
	return c.long(c.weekdays[t.Weekday()], Date(t, lang))
}

// Decimal writes v with places decimals and lang's decimal mark: "57.5"
// in English, "57,5" in German, French and Spanish. A negative number
// gets a real minus sign.
func Decimal(v float64, places int, lang string) string {
	s := fmt.Sprintf("%.*f", places, v)
	if c := calendarOf(lang); c != nil && c.decimalComma {
		s = strings.Replace(s, ".", ",", 1)
	}
	if strings.HasPrefix(s, "-") {
		s = "−" + s[1:]
	}
	return s
}
