package reports

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A Scrubber takes out of a comment what could point at a person: the
// names of the people on the roster, email addresses and phone numbers. It
// works on the report's copy; the database keeps the comment as written.
//
// Names match as whole words, whatever their case and accents ("ask
// jurgen" matches Jürgen, "Mueller" matches Müller). A name that is also an
// everyday word ("Will", "May", "Grace", "Baker") is taken out only where
// it reads as a name: written with a capital inside a sentence, or next to
// another part of the same person's name. So "we will" stays as written
// when a colleague is called Will, and "ask Will" does not.
type Scrubber struct {
	names map[string]nameKind // folded name part (and its transliteration) → kind
	pairs map[[2]string]bool  // folded parts that follow each other in someone's name
}

type nameKind uint8

const (
	plainName    nameKind = iota + 1 // replaced wherever it appears
	everydayName                     // replaced only where it reads as a name
)

// The replacements, as the report shows them.
const (
	NameMark  = "[name]"
	EmailMark = "[email]"
	PhoneMark = "[phone]"
)

// NewScrubber returns a scrubber for the names of everyone on the roster,
// as HR wrote them ("Jürgen Müller", "Anne-Marie O'Brien").
func NewScrubber(names []string) *Scrubber {
	s := &Scrubber{names: map[string]nameKind{}, pairs: map[[2]string]bool{}}
	type part struct {
		folded, german string // german: with umlauts written out; "" when the same
		kind           nameKind
	}
	var spans []span
	var prev part
	for _, full := range names {
		spans = appendWords(spans[:0], full)
		prev = part{}
		for _, w := range spans {
			text := full[w.start:w.end]
			if utf8.RuneCountInString(text) < 2 { // an initial
				prev = part{}
				continue
			}
			p := part{folded: fold(text), kind: plainName}
			if german := foldGerman(text); german != p.folded {
				p.german = german
			}
			if everydayWords[p.folded] || utf8.RuneCountInString(p.folded) <= 2 {
				p.kind = everydayName
			}
			for _, v := range []string{p.folded, p.german} {
				if v != "" && s.names[v] != everydayName {
					s.names[v] = p.kind
				}
			}
			// Pairs tell an everyday word written next to the rest of a
			// name; a plain name is replaced anyway.
			if prev.kind == everydayName || p.kind == everydayName {
				for _, a := range []string{prev.folded, prev.german} {
					for _, b := range []string{p.folded, p.german} {
						if a != "" && b != "" {
							s.pairs[[2]string{a, b}] = true
						}
					}
				}
			}
			prev = p
		}
	}
	return s
}

var (
	emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+`)
	// phoneCandidate is a run of digits with the separators phone numbers
	// are written with; phoneLike decides which runs are phone numbers.
	phoneCandidate = regexp.MustCompile(`(?:\+|\(\s*)?\d(?:[\d \t().\-/\x{00A0}]*\d)?`)
	// Runs of digits that are not phone numbers: dates, times, year
	// ranges and amounts with thousands separators.
	notPhone = []*regexp.Regexp{
		regexp.MustCompile(`^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}$`),
		regexp.MustCompile(`^\d{1,2}[.:]\d{2}\s*[\-/]\s*\d{1,2}[.:]\d{2}$`),
		regexp.MustCompile(`^\d{4}\s*[\-/]\s*\d{4}$`),
		regexp.MustCompile(`^\d{1,3}(?:[., ]\d{3})+$`),
	}
	adjacentNames = regexp.MustCompile(`\[name\](?:[ \t\-]+\[name\])+`)
)

// Private-use runes stand for an address or a number already found while
// the names are looked for; they are not letters, so no name matches them.
const (
	emailHold = '\uE000'
	phoneHold = '\uE001'
)

// Scrub returns text with every roster name replaced by NameMark (a full
// name becomes one mark), every email address by EmailMark and every phone
// number by PhoneMark.
func (s *Scrubber) Scrub(text string) string {
	// The patterns run only where they could match: most comments have no
	// address and no number, and a report may have many comments.
	if strings.ContainsRune(text, emailHold) || strings.ContainsRune(text, phoneHold) {
		text = strings.Map(func(r rune) rune {
			if r == emailHold || r == phoneHold {
				return -1
			}
			return r
		}, text)
	}
	held := false
	if strings.Contains(text, "@") {
		text = emailPattern.ReplaceAllLiteralString(text, string(emailHold))
		held = true
	}
	if digits(text) >= 7 {
		text = phoneCandidate.ReplaceAllStringFunc(text, func(m string) string {
			if phoneLike(m) {
				return string(phoneHold)
			}
			return m
		})
		held = true
	}
	text = s.replaceNames(text)
	if held {
		text = strings.NewReplacer(string(emailHold), EmailMark, string(phoneHold), PhoneMark).Replace(text)
	}
	return text
}

// digits counts the digits 0 to 9 in s.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// phoneLike reports whether a run of digits and separators is a phone
// number: 8 to 15 digits, or 7 with an international prefix or an area code
// in brackets, and not a date, a time, a range of years or an amount.
func phoneLike(m string) bool {
	n := digits(m)
	marked := strings.HasPrefix(m, "+") || strings.HasPrefix(m, "(")
	if n > 15 || n < 7 || n == 7 && !marked {
		return false
	}
	for _, p := range notPhone {
		if p.MatchString(strings.TrimSpace(m)) {
			return false
		}
	}
	return true
}

// replaceNames replaces the roster names in text.
func (s *Scrubber) replaceNames(text string) string {
	if len(s.names) == 0 {
		return text
	}
	ws := words(text)
	folded := make([]string, len(ws))
	for i, w := range ws {
		folded[i] = fold(trimPossessive(text[w.start:w.end]))
	}
	// joined reports whether words i and i+1 are separated by nothing but
	// spaces or a hyphen, as the parts of one name are.
	joined := func(i int) bool {
		return i >= 0 && i+1 < len(ws) && strings.Trim(text[ws[i].end:ws[i+1].start], " \t-") == ""
	}
	pair := func(i int) bool { return joined(i) && s.pairs[[2]string{folded[i], folded[i+1]}] }
	var b strings.Builder
	last := 0
	for i, w := range ws {
		kind := s.names[folded[i]]
		if kind == 0 {
			continue
		}
		word := text[w.start:w.end]
		if kind == everydayName && !(readsAsName(text, w) || pair(i-1) || pair(i)) {
			continue
		}
		b.WriteString(text[last:w.start])
		b.WriteString(NameMark)
		b.WriteString(word[len(trimPossessive(word)):]) // keeps "'s"
		last = w.end
	}
	b.WriteString(text[last:])
	return adjacentNames.ReplaceAllLiteralString(b.String(), NameMark)
}

// readsAsName reports whether a word is written as a name: with a capital
// first letter, not in capitals throughout, and not where any word of a
// sentence would have a capital.
func readsAsName(text string, w span) bool {
	word := text[w.start:w.end]
	first, _ := utf8.DecodeRuneInString(word)
	if !unicode.IsUpper(first) || strings.ToUpper(word) == word {
		return false
	}
	before := strings.TrimRightFunc(text[:w.start], func(r rune) bool {
		return unicode.IsSpace(r) && r != '\n' || strings.ContainsRune("\"'“‘«([", r)
	})
	if before == "" {
		return false
	}
	end, _ := utf8.DecodeLastRuneInString(before)
	return !strings.ContainsRune(".!?…\n", end)
}

// span is where a word is in a text, in bytes.
type span struct{ start, end int }

// words returns the words of text: runs of letters (and their accents),
// with apostrophes inside ("O'Brien", "Jürgen's").
func words(text string) []span { return appendWords(nil, text) }

// appendWords appends the words of text to out.
func appendWords(out []span, text string) []span {
	start := -1
	prevLetter := false
	for i, r := range text {
		letter := unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
		switch {
		case letter && start < 0:
			start = i
		case letter:
		case (r == '\'' || r == '’') && start >= 0 && prevLetter:
			next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
			if unicode.IsLetter(next) {
				prevLetter = false
				continue
			}
			out = append(out, span{start, i})
			start = -1
		case start >= 0:
			out = append(out, span{start, i})
			start = -1
		}
		prevLetter = letter
	}
	if start >= 0 {
		out = append(out, span{start, len(text)})
	}
	return out
}

// trimPossessive drops a final "'s" from a word.
func trimPossessive(w string) string {
	for _, s := range []string{"'s", "’s", "'S", "’S"} {
		if strings.HasSuffix(w, s) && len(w) > len(s) {
			return w[:len(w)-len(s)]
		}
	}
	return w
}

// fold returns a word in lower case without its accents: "Müller" →
// "muller". Most words are plain ASCII, and need only the lower case.
func fold(w string) string {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return strip(strings.ToLower(strings.ReplaceAll(w, "’", "'")))
		}
	}
	return strings.ToLower(w)
}

// foldGerman returns fold(w) with German umlauts written out first, as
// people type them without the letters: "Müller" → "mueller".
func foldGerman(w string) string {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return fold(umlauts.Replace(strings.ToLower(w)))
		}
	}
	return fold(w)
}

var (
	umlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue")
	// letters that decomposition does not reduce to a plain one
	plainLetters = strings.NewReplacer("ß", "ss", "ø", "o", "ł", "l", "æ", "ae", "œ", "oe", "đ", "d", "þ", "th", "ı", "i")
)

// strip removes accents: decomposes, then drops the combining marks.
func strip(s string) string {
	d := norm.NFD.String(plainLetters.Replace(s))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

// everydayWords are first names and surnames that are also ordinary English
// words, folded. Such a name is taken out only where it reads as a name.
var everydayWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		will may grace mark bill rose joy hope faith june april august frank sue pat rich art dawn summer
		page ray jack don guy sunny amber holly ivy lily daisy iris penny ruby angel autumn crystal destiny
		harmony honey patience prudence chase hunter carter cash miles lane wade reed drew bob rob gene sky
		brook brooks baker smith mills young king bell hill wood woods brown green white black gray grey long
		short little small hall moore more price cook cooper ward fox wolf hunt rice field fields stone rock
		sharp best good bliss love pearl star river storm rain robin jay wren jewel sterling noble earnest
		constance verity felicity charity mercy precious sunday chance free early ford bush booth walker
		carpenter fisher gardner gardener porter butler mason archer bishop knight major master marshall dean
		judge park parks banks bank lamb bird crane swan finch north south west east winter spring snow frost
		day night sage basil rosemary olive violet hazel heather fern willow laurel poppy jasmine saffron
		ginger pepper candy sugar bonnie happy hardy strong wise bright swift gold silver iron steel glass
		grant bond cross rush marks bud buck chip chuck doc duke earl ace sandy rusty dusty rocky skip ash
		oak birch case nick pierce said max win new minor lord read rivers waters
		lake lakes dale vale hale wells well bloom blossom cliff clay gale hart heart hay hays street
		law lawless merry noel pope sweet tucker weaver miller bowman chapman head love child childs rich
		power powers house bush hood moss pond pool post rose roses battle church temple abbey
		`) {
		m[w] = true
	}
	return m
}()
