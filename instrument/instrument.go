// Package instrument reads survey instruments and their translations from
// TOML files, and holds the built-in default instrument with its German,
// French and Spanish translations.
package instrument

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

//go:embed default.toml default.*.toml
var builtIn embed.FS

// builtInTranslations are the languages default.toml is translated into,
// each in default.LANG.toml.
var builtInTranslations = []string{"de", "fr", "es"}

// file mirrors the TOML format of DESIGN.md, of an instrument and of a
// translation of one.
type file struct {
	Language  string      `toml:"language"`
	Title     string      `toml:"title"`
	Intro     string      `toml:"intro"`
	Comment   string      `toml:"comment"`
	Dimension []dimension `toml:"dimension"`
	Item      []item      `toml:"item"`
}

type dimension struct {
	ID   string `toml:"id"`
	Name string `toml:"name"`
}

type item struct {
	ID        string `toml:"id"`
	Dimension string `toml:"dimension"`
	Pole      string `toml:"pole"`
	Text      string `toml:"text"`
}

// dimensions returns the file's dimensions, trimmed.
func (f *file) dimensions() []campaign.Dimension {
	var out []campaign.Dimension
	for _, d := range f.Dimension {
		out = append(out, campaign.Dimension{ID: strings.TrimSpace(d.ID), Name: strings.TrimSpace(d.Name)})
	}
	return out
}

// Default returns the built-in instrument, in English, with its German,
// French and Spanish translations.
func Default() campaign.Instrument {
	in, err := Parse(readBuiltIn("default.toml"), "default instrument")
	if err != nil {
		panic(err) // the embedded files are checked by the tests
	}
	for _, lang := range builtInTranslations {
		name := "default." + lang + ".toml"
		t, err := ParseTranslation(readBuiltIn(name), name, &in)
		if err != nil {
			panic(err)
		}
		in.Translations = append(in.Translations, t)
	}
	return in
}

func readBuiltIn(name string) string {
	b, err := builtIn.ReadFile(name)
	if err != nil {
		panic(err) // cannot happen: embedded above
	}
	return string(b)
}

// Load reads and validates the instrument in the TOML file at path.
func Load(path string) (campaign.Instrument, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return campaign.Instrument{}, fmt.Errorf("read instrument: %w", err)
	}
	return Parse(string(b), path)
}

// Parse decodes and validates an instrument; source names it in errors. A
// syntax error, an unknown key or an invalid instrument gives an
// *campaign.InputError listing every problem.
func Parse(text, source string) (campaign.Instrument, error) {
	var f file
	if err := decode(text, source, &f); err != nil {
		return campaign.Instrument{}, err
	}
	in := campaign.Instrument{
		Title:   strings.TrimSpace(f.Title),
		Intro:   strings.TrimSpace(f.Intro),
		Comment: strings.TrimSpace(f.Comment),
	}
	if f.Language != "" {
		lang, err := locale.Parse(f.Language)
		if err != nil {
			return campaign.Instrument{}, &campaign.InputError{Source: source, Problems: []campaign.Problem{{Field: "language", Message: err.Error()}}}
		}
		in.Language = lang
	}
	in.Dimensions = f.dimensions()
	for _, it := range f.Item {
		in.Items = append(in.Items, campaign.Item{
			ID:        strings.TrimSpace(it.ID),
			Dimension: strings.TrimSpace(it.Dimension),
			Pole:      campaign.Pole(strings.TrimSpace(it.Pole)),
			Text:      strings.TrimSpace(it.Text),
		})
	}
	if err := in.Validate(); err != nil {
		var ie *campaign.InputError
		if errors.As(err, &ie) {
			ie.Source = source
		}
		return campaign.Instrument{}, err
	}
	return in, nil
}

// decode decodes a TOML file into v, refusing a syntax error or a key v
// does not have with an *campaign.InputError.
func decode(text, source string, v any) error {
	md, err := toml.Decode(text, v)
	if err != nil {
		problems := &campaign.InputError{Source: source}
		var perr toml.ParseError
		if errors.As(err, &perr) {
			problems.Add(perr.Position.Line, perr.LastKey, "%s", perr.Message)
		} else {
			problems.Add(0, "", "%v", err)
		}
		return problems
	}
	problems := &campaign.InputError{Source: source}
	for _, k := range md.Undecoded() {
		problems.Add(0, k.String(), "unknown key")
	}
	return problems.Err()
}
