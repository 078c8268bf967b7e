package survey

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// The page's own words, one catalog per language: catalog/LANG.toml, a
// table per page or part of one, each text under a key. A text may hold
// {placeholders}, filled in by name.
//
//go:embed catalog/*.toml
var catalogFiles embed.FS

// baseLanguage is the language every catalog is checked against, and the
// last resort when neither the person's language nor the default has one.
const baseLanguage = "en"

// A catalog is the page's words in one language.
type catalog struct {
	lang  string
	texts map[string]string // "section.key" → text
	base  *catalog          // the English catalog, for a key this one lacks; nil for English
}

// placeholder matches a {name} in a text.
var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// T returns the text of key ("form.send") with its placeholders filled in
// from args, pairs of a name and a value: T("form.until", "when", "…").
// A key no catalog has gives "[key]", which the tests catch.
func (c *catalog) T(key string, args ...any) string {
	text, ok := c.texts[key]
	if !ok && c.base != nil {
		text, ok = c.base.texts[key]
	}
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// Lang returns the BCP 47 tag of the catalog's language.
func (c *catalog) Lang() string { return c.lang }

// catalogs are the page's words in every language it speaks.
type catalogs struct {
	byLang map[string]*catalog
	langs  []string // English first, then in order of their tags
}

// Languages returns the languages the survey page speaks: the languages of
// its built-in catalogs, English first.
func Languages() []string {
	cs, err := parseCatalogs()
	if err != nil {
		return []string{baseLanguage}
	}
	return slices.Clone(cs.langs)
}

// parseCatalogs reads the embedded catalogs. Every catalog must have
// English's keys, with the same placeholders, and no other; the tests keep
// it so, and this fails fast if one does not.
func parseCatalogs() (*catalogs, error) {
	cs := &catalogs{byLang: map[string]*catalog{}}
	entries, err := fs.ReadDir(catalogFiles, "catalog")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		lang := strings.TrimSuffix(e.Name(), ".toml")
		var sections map[string]map[string]string
		if _, err := toml.DecodeFS(catalogFiles, "catalog/"+e.Name(), &sections); err != nil {
			return nil, fmt.Errorf("survey catalog %s: %w", e.Name(), err)
		}
		c := &catalog{lang: lang, texts: map[string]string{}}
		for section, texts := range sections {
			for key, text := range texts {
				c.texts[section+"."+key] = text
			}
		}
		cs.byLang[lang] = c
		cs.langs = append(cs.langs, lang)
	}
	base, ok := cs.byLang[baseLanguage]
	if !ok {
		return nil, fmt.Errorf("survey catalogs: no %s.toml", baseLanguage)
	}
	for _, c := range cs.byLang {
		if c != base {
			c.base = base
			if err := c.sameKeysAs(base); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(cs.langs, func(a, b string) int {
		switch {
		case a == baseLanguage:
			return -1
		case b == baseLanguage:
			return 1
		}
		return strings.Compare(a, b)
	})
	return cs, nil
}

// sameKeysAs reports the first key c lacks or has beyond base's, or whose
// placeholders differ from base's.
func (c *catalog) sameKeysAs(base *catalog) error {
	for _, key := range slices.Sorted(maps.Keys(base.texts)) {
		text, ok := c.texts[key]
		if !ok {
			return fmt.Errorf("survey catalog %s.toml lacks %s, which %s.toml has", c.lang, key, base.lang)
		}
		if got, want := placeholders(text), placeholders(base.texts[key]); !slices.Equal(got, want) {
			return fmt.Errorf("survey catalog %s.toml: %s has the placeholders %v, but %s.toml has %v", c.lang, key, got, base.lang, want)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(c.texts)) {
		if _, ok := base.texts[key]; !ok {
			return fmt.Errorf("survey catalog %s.toml has %s, which %s.toml does not", c.lang, key, base.lang)
		}
	}
	return nil
}

// placeholders returns the distinct {placeholders} of text, sorted.
func placeholders(text string) []string {
	found := placeholder.FindAllString(text, -1)
	slices.Sort(found)
	return slices.Compact(found)
}

// pick returns the catalog of lang, along its subtags ("fr-CA" gets
// "fr"), else of fallback, else English.
func (cs *catalogs) pick(lang, fallback string) *catalog {
	for _, l := range []string{lang, fallback} {
		if m, ok := campaign.MatchLanguage(l, cs.langs); ok {
			return cs.byLang[m]
		}
	}
	return cs.byLang[baseLanguage]
}
