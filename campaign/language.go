package campaign

import (
	"fmt"
	"slices"
	"strings"
)

// ColumnLanguage is the optional roster column that holds a person's
// language: a BCP 47 tag such as "de", "fr-CA" or "pt-BR". Like any other
// column it is kept in StaffMember.Attributes, chooses people with --where
// and can be a report breakdown, as the roster writes it.
const ColumnLanguage = "language"

// staffLanguage selects the language tag of the person s (the staff
// table), "" when the roster gives none.
const staffLanguage = `coalesce(json_extract(s.attributes, '$.` + ColumnLanguage + `'), '')`

// EnglishLanguage is the language of an instrument snapshot that names
// none: every instrument was English before translations existed.
const EnglishLanguage = "en"

// Language returns the person's language tag as the roster gives it, or ""
// when it gives none.
func (m *StaffMember) Language() string {
	return strings.TrimSpace(m.Attributes[ColumnLanguage])
}

// A Translation is an instrument's texts in another language, under the
// same ids: the title, the intro, the comment question, the name of every
// dimension and the text of every statement.
type Translation struct {
	Language   string      `json:"language"` // BCP 47
	Title      string      `json:"title"`
	Intro      string      `json:"intro"`
	Comment    string      `json:"comment,omitempty"`
	Dimensions []Dimension `json:"dimensions"`
	Items      []ItemText  `json:"items"`
}

// An ItemText is a statement's text in a translation.
type ItemText struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// OwnLanguage returns the language the instrument's own texts are in.
func (in *Instrument) OwnLanguage() string {
	if in.Language == "" {
		return EnglishLanguage
	}
	return in.Language
}

// Languages returns the languages the instrument can be answered in: its
// own first, then its translations in order.
func (in *Instrument) Languages() []string {
	out := []string{in.OwnLanguage()}
	for _, t := range in.Translations {
		out = append(out, t.Language)
	}
	return out
}

// FallbackLanguage returns the language of the people whose own language
// has no translation: DefaultLanguage, or else the instrument's own.
func (in *Instrument) FallbackLanguage() string {
	if in.DefaultLanguage == "" {
		return in.OwnLanguage()
	}
	return in.DefaultLanguage
}

// MatchLanguage returns the language, one of Languages, in which a person
// whose roster language is tag answers: tag's own, else a language along
// its subtags (see MatchLanguage), else the FallbackLanguage. ok is false
// when tag matched none and the fallback was taken.
func (in *Instrument) MatchLanguage(tag string) (lang string, ok bool) {
	if l, ok := MatchLanguage(tag, in.Languages()); ok {
		return l, true
	}
	return in.FallbackLanguage(), false
}

// Translated returns the instrument with its texts in lang, one of
// Languages (as MatchLanguage gives it), and no translations; ids,
// dimensions and poles stay as they are. For any other lang it returns the
// instrument's own texts.
func (in *Instrument) Translated(lang string) Instrument {
	out := *in
	out.Translations = nil
	out.Dimensions = slices.Clone(in.Dimensions)
	out.Items = slices.Clone(in.Items)
	i := slices.IndexFunc(in.Translations, func(t Translation) bool { return t.Language == lang })
	if i < 0 {
		return out
	}
	t := &in.Translations[i]
	out.Language, out.Title, out.Intro, out.Comment = t.Language, t.Title, t.Intro, t.Comment
	names := map[string]string{}
	for _, d := range t.Dimensions {
		names[d.ID] = d.Name
	}
	texts := map[string]string{}
	for _, it := range t.Items {
		texts[it.ID] = it.Text
	}
	for k := range out.Dimensions {
		out.Dimensions[k].Name = names[out.Dimensions[k].ID]
	}
	for k := range out.Items {
		out.Items[k].Text = texts[out.Items[k].ID]
	}
	return out
}

// SetTranslation adds t to the instrument's translations, in place of one
// into the same language (compared ignoring case).
func (in *Instrument) SetTranslation(t Translation) {
	i := slices.IndexFunc(in.Translations, func(old Translation) bool { return strings.EqualFold(old.Language, t.Language) })
	if i < 0 {
		in.Translations = append(in.Translations, t)
		return
	}
	in.Translations[i] = t
}

// CheckTranslation compares a translation with the instrument: it must
// name a language other than the instrument's own, translate every
// dimension and every statement once, by id, and nothing else, and leave
// no text empty that the instrument has (nor add a comment question the
// instrument does not ask). It returns an *InputError naming each problem,
// with source "translation LANGUAGE".
func (in *Instrument) CheckTranslation(t *Translation) error {
	problems := &InputError{Source: "translation " + t.Language}
	switch {
	case t.Language == "":
		problems.Source = "translation"
		problems.Add(0, "language", "missing: name the language of this translation, such as \"de\" or \"fr-CA\"")
	case !wellFormedTag(t.Language):
		problems.Add(0, "language", "%q is not a BCP 47 language tag such as \"de\", \"fr-CA\" or \"pt-BR\"", t.Language)
	case strings.EqualFold(t.Language, in.OwnLanguage()):
		problems.Add(0, "language", "%q is the instrument's own language: a translation is into another one", t.Language)
	}
	if strings.TrimSpace(t.Title) == "" {
		problems.Add(0, "title", "missing")
	}
	checkText := func(field, base, text string) {
		switch {
		case strings.TrimSpace(base) != "" && strings.TrimSpace(text) == "":
			problems.Add(0, field, "missing")
		case strings.TrimSpace(base) == "" && strings.TrimSpace(text) != "":
			problems.Add(0, field, "the instrument has no %s to translate", field)
		}
	}
	checkText("intro", in.Intro, t.Intro)
	checkText("comment", in.Comment, t.Comment)

	dims := make([]string, len(in.Dimensions))
	for i, d := range in.Dimensions {
		dims[i] = d.ID
	}
	names := make([]idText, len(t.Dimensions))
	for i, d := range t.Dimensions {
		names[i] = idText{d.ID, d.Name}
	}
	checkIDs(problems, "dimension", "name", dims, names)
	items := make([]string, len(in.Items))
	for i, it := range in.Items {
		items[i] = it.ID
	}
	texts := make([]idText, len(t.Items))
	for i, it := range t.Items {
		texts[i] = idText{it.ID, it.Text}
	}
	checkIDs(problems, "item", "text", items, texts)
	return problems.Err()
}

type idText struct{ id, text string }

// checkIDs checks that got translates each of the ids want once, and
// nothing else, with no empty text: what is missing, extra, repeated or
// empty is added to problems, named by kind ("item") and id.
func checkIDs(problems *InputError, kind, textField string, want []string, got []idText) {
	seen := map[string]bool{}
	for i, g := range got {
		field := fmt.Sprintf("%s %q", kind, g.id)
		switch {
		case g.id == "":
			problems.Add(0, fmt.Sprintf("%s[%d].id", kind, i+1), "missing")
			continue
		case !slices.Contains(want, g.id):
			problems.Add(0, field, "extra: the instrument has no %s %q", kind, g.id)
			continue
		case seen[g.id]:
			problems.Add(0, field, "translated twice")
			continue
		}
		seen[g.id] = true
		if strings.TrimSpace(g.text) == "" {
			problems.Add(0, field+"."+textField, "missing")
		}
	}
	for _, id := range want {
		if !seen[id] {
			problems.Add(0, fmt.Sprintf("%s %q", kind, id), "missing: the translation has no [[%s]] with id = %q", kind, id)
		}
	}
}

// validateLanguages reports the problems with the instrument's languages:
// its own tag, each translation against it, a language translated twice,
// and a default language it cannot be answered in.
func (in *Instrument) validateLanguages(problems *InputError) {
	if in.Language != "" && !wellFormedTag(in.Language) {
		problems.Add(0, "language", "%q is not a BCP 47 language tag such as \"en\", \"de\" or \"fr-CA\"", in.Language)
	}
	seen := map[string]bool{strings.ToLower(in.OwnLanguage()): true}
	for i := range in.Translations {
		t := &in.Translations[i]
		if err := in.CheckTranslation(t); err != nil {
			for _, p := range err.(*InputError).Problems {
				problems.Add(p.Line, strings.TrimSpace("translation "+t.Language+" "+p.Field), "%s", p.Message)
			}
			continue
		}
		if seen[strings.ToLower(t.Language)] {
			problems.Add(0, "translation "+t.Language, "a second translation into %q", t.Language)
		}
		seen[strings.ToLower(t.Language)] = true
	}
	if in.DefaultLanguage != "" && !slices.Contains(in.Languages(), in.DefaultLanguage) {
		problems.Add(0, "default language", "%q is not a language of this instrument (it has %s): add a translation into it, or choose one of those",
			in.DefaultLanguage, strings.Join(in.Languages(), ", "))
	}
}

// wellFormedTag reports whether s has the shape of a BCP 47 tag: subtags
// of one to eight letters or digits joined by '-', the first two to eight
// letters. Whether the language exists is for the caller to check.
func wellFormedTag(s string) bool {
	for i, sub := range strings.Split(s, "-") {
		if len(sub) < 1 || len(sub) > 8 || i == 0 && len(sub) < 2 {
			return false
		}
		for _, r := range sub {
			letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if !letter && (i == 0 || r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

// MatchLanguage returns the language of available that a person whose
// language is tag should get: the first whose tag equals tag, else equals
// tag shortened along its subtags ("de-CH" falls back to "de", "zh-Hant-TW"
// to "zh-Hant" and then "zh"), else the first with the same primary
// language ("de" gets "de-AT" when that is the only German). Case and '_'
// for '-' are ignored. ok is false when none matches.
func MatchLanguage(tag string, available []string) (lang string, ok bool) {
	want := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	if want == "" {
		return "", false
	}
	for t := want; t != ""; {
		for _, a := range available {
			if strings.EqualFold(a, t) {
				return a, true
			}
		}
		i := strings.LastIndexByte(t, '-')
		if i < 0 {
			break
		}
		t = t[:i]
	}
	primary, _, _ := strings.Cut(want, "-")
	for _, a := range available {
		p, _, _ := strings.Cut(a, "-")
		if strings.EqualFold(p, primary) {
			return a, true
		}
	}
	return "", false
}
