package locale

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// BaseLanguage is the language every catalog is checked against: English.
const BaseLanguage = "en"

// A Catalog is one part of lvm-mail's own words in one language: a TOML
// file of tables, each text under a key, read as "table.key". A text may
// hold {placeholders}, filled in by name.
type Catalog struct {
	lang  string
	texts map[string]string
	base  *Catalog // English, for a key this one lacks; nil for English
}

// placeholder matches a {name} in a text.
var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// T returns the text of key ("form.send") with its placeholders filled in
// from args, pairs of a name and a value: T("form.until", "when", "…").
// A key no catalog has gives "[key]", which tests catch.
func (c *Catalog) T(key string, args ...any) string {
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

// N is T for a text about n things: the key with ".one" when the language
// counts n as one (English, German and Spanish: 1; French: 0 and 1), else
// with ".other". n is the placeholder {n}.
func (c *Catalog) N(key string, n int, args ...any) string {
	form := ".other"
	if n == 1 || n == 0 && strings.HasPrefix(c.lang, "fr") {
		form = ".one"
	}
	return c.T(key+form, append([]any{"n", n}, args...)...)
}

// Lang returns the BCP 47 tag of the catalog's language.
func (c *Catalog) Lang() string { return c.lang }

// Keys returns the catalog's keys, sorted.
func (c *Catalog) Keys() []string { return slices.Sorted(maps.Keys(c.texts)) }

// Text returns the text of key as written, placeholders and all, and
// whether the catalog has it (not counting English's).
func (c *Catalog) Text(key string) (string, bool) {
	t, ok := c.texts[key]
	return t, ok
}

// Check reports the first key c lacks or has beyond base's, or whose
// placeholders differ from base's.
func (c *Catalog) Check(base *Catalog) error {
	for _, key := range base.Keys() {
		text, ok := c.texts[key]
		if !ok {
			return fmt.Errorf("%s.toml lacks %s, which %s.toml has", c.lang, key, base.lang)
		}
		if got, want := placeholders(text), placeholders(base.texts[key]); !slices.Equal(got, want) {
			return fmt.Errorf("%s.toml: %s has the placeholders %v, but %s.toml has %v", c.lang, key, got, base.lang, want)
		}
	}
	for _, key := range c.Keys() {
		if _, ok := base.texts[key]; !ok {
			return fmt.Errorf("%s.toml has %s, which %s.toml does not", c.lang, key, base.lang)
		}
	}
	return nil
}

// NewCatalog makes a catalog of texts by key, for tests of Check.
func NewCatalog(lang string, texts map[string]string) *Catalog {
	return &Catalog{lang: lang, texts: texts}
}

// placeholders returns the distinct {placeholders} of text, sorted.
func placeholders(text string) []string {
	found := placeholder.FindAllString(text, -1)
	slices.Sort(found)
	return slices.Compact(found)
}

// Catalogs are one part's words in every language it speaks.
type Catalogs struct {
	byLang map[string]*Catalog
	langs  []string // English first, then in order of their tags
}

// ParseCatalogs reads the catalogs LANG.toml in the folder dir of fsys.
// There must be an English one, and every other must have English's keys,
// with the same placeholders, and no other (Check): the tests keep it so,
// and this fails fast if one does not.
func ParseCatalogs(fsys fs.FS, dir string) (*Catalogs, error) {
	cs := &Catalogs{byLang: map[string]*Catalog{}}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		lang, ok := strings.CutSuffix(e.Name(), ".toml")
		if !ok {
			continue
		}
		var tables map[string]any
		if _, err := toml.DecodeFS(fsys, path.Join(dir, e.Name()), &tables); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", path.Join(dir, e.Name()), err)
		}
		c := &Catalog{lang: lang, texts: map[string]string{}}
		if err := c.flatten("", tables); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", path.Join(dir, e.Name()), err)
		}
		cs.byLang[lang] = c
		cs.langs = append(cs.langs, lang)
	}
	base, ok := cs.byLang[BaseLanguage]
	if !ok {
		return nil, fmt.Errorf("catalogs in %s: no %s.toml", dir, BaseLanguage)
	}
	for _, c := range cs.byLang {
		if c != base {
			c.base = base
			if err := c.Check(base); err != nil {
				return nil, fmt.Errorf("catalogs in %s: %w", dir, err)
			}
		}
	}
	slices.SortFunc(cs.langs, func(a, b string) int {
		switch {
		case a == BaseLanguage:
			return -1
		case b == BaseLanguage:
			return 1
		}
		return strings.Compare(a, b)
	})
	return cs, nil
}

// flatten adds the texts of a TOML table to c under prefix: a nested
// table's keys are joined with dots, so that [summary] with status.open
// gives "summary.status.open".
func (c *Catalog) flatten(prefix string, table map[string]any) error {
	for key, v := range table {
		if prefix != "" {
			key = prefix + "." + key
		}
		switch v := v.(type) {
		case string:
			c.texts[key] = v
		case map[string]any:
			if err := c.flatten(key, v); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s is not text", key)
		}
	}
	return nil
}

// Languages returns the languages of the catalogs, English first.
func (cs *Catalogs) Languages() []string { return slices.Clone(cs.langs) }

// Match returns the catalog of lang, along its subtags ("fr-CA" gets
// "fr"), and whether there is one.
func (cs *Catalogs) Match(lang string) (*Catalog, bool) {
	m, ok := campaign.MatchLanguage(lang, cs.langs)
	return cs.byLang[m], ok
}

// Pick returns the catalog of lang, along its subtags, else of fallback,
// else English's.
func (cs *Catalogs) Pick(lang, fallback string) *Catalog {
	for _, l := range []string{lang, fallback} {
		if c, ok := cs.Match(l); ok {
			return c
		}
	}
	return cs.byLang[BaseLanguage]
}

// Complete reports every catalog that lacks a key of English's, has one
// English has not, or differs from it in a placeholder (Check), and every
// empty text, in one error; nil when all are complete.
func (cs *Catalogs) Complete() error {
	base := cs.byLang[BaseLanguage]
	var errs []error
	for _, l := range cs.langs {
		c := cs.byLang[l]
		if c != base {
			if err := c.Check(base); err != nil {
				errs = append(errs, err)
			}
		}
		for _, key := range c.Keys() {
			if strings.TrimSpace(c.texts[key]) == "" {
				errs = append(errs, fmt.Errorf("%s.toml: %s is empty", c.lang, key))
			}
		}
	}
	return errors.Join(errs...)
}
