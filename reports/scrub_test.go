package reports_test

import (
	"testing"

	"github.com/lvm-mail/lvm-mail/reports"
)

func TestScrubber(t *testing.T) {
	s := reports.NewScrubber([]string{
		"Jürgen Müller", "Will Turner", "May Hughes", "Grace O'Brien", "Anne-Marie Dubois",
		"Chloé Baker", "Søren Østergaard", "Li Xu", "J. Smith",
	})
	for _, tt := range []struct {
		name, in, want string
	}{
		{"FullName", "Ask Jürgen Müller about it.", "Ask [name] about it."},
		{"LowerCaseWithoutAccents", "ask jurgen", "ask [name]"},
		{"Transliterated", "Herr Mueller said no", "Herr [name] said no"},
		{"Surname", "müller knows", "[name] knows"},
		{"Possessive", "Jürgen's team is fine", "[name]'s team is fine"},
		{"PartOfAWord", "Jürgensen and Müllerstraße stay", "Jürgensen and Müllerstraße stay"},
		{"EverydayWordStays", "we will see; things may change", "we will see; things may change"},
		{"EverydayNameInASentence", "ask Will, or May", "ask [name], or [name]"},
		{"EverydayNameStartingASentence", "Will this change? May be.", "Will this change? May be."},
		{"EverydayNameNextToSurname", "thanks to will turner", "thanks to [name]"},
		{"EverydayWordInCapitals", "WE WILL NOT", "WE WILL NOT"},
		{"SurnameThatIsAWord", "the baker was late; Chloé Baker was not", "the baker was late; [name] was not"},
		{"Apostrophe", "Grace O'Brien and o'brien", "[name] and [name]"},
		{"Hyphenated", "Anne-Marie helped; so did anne marie", "[name] helped; so did [name]"},
		{"Nordic", "Soren Ostergaard", "[name]"},
		{"ShortNameNeedsCapital", "ask Li; xu is fine; Li Xu", "ask [name]; xu is fine; [name]"},
		{"InitialIgnored", "J. is a letter", "J. is a letter"},
		{"Email", "mail me at jurgen.mueller@example.co.uk now", "mail me at [email] now"},
		{"EmailWithPlus", "(a+b@x.org)", "([email])"},
		{"PhoneInternational", "call +44 20 7946 0958 today", "call [phone] today"},
		{"PhoneLocal", "call 020 7946 0958", "call [phone]"},
		{"PhoneUS", "or (555) 123-4567.", "or [phone]."},
		{"PhoneDashed", "my number is 0170-1234567", "my number is [phone]"},
		{"DateStays", "since 12/03/2026 and 2026-03-12", "since 12/03/2026 and 2026-03-12"},
		{"YearRangeStays", "in 2024-2025 things improved", "in 2024-2025 things improved"},
		{"TimesStay", "open 09.30-17.00", "open 09.30-17.00"},
		{"AmountStays", "a budget of 1,500,000 pounds", "a budget of 1,500,000 pounds"},
		{"ShortNumbersStay", "3 of 10 people, room 101", "3 of 10 people, room 101"},
		{"Everything", "Jürgen (jm@x.de, 0151 2345 6789) says May is great",
			"[name] ([email], [phone]) says [name] is great"},
		{"PlaceholdersTypedStay", "a \uE000 b", "a  b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Scrub(tt.in); got != tt.want {
				t.Errorf("Scrub(%q):\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("NoRoster", func(t *testing.T) {
		if got := reports.NewScrubber(nil).Scrub("Ask Will at will@x.org"); got != "Ask Will at [email]" {
			t.Errorf("got %q", got)
		}
	})
}
