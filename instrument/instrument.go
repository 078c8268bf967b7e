// Package instrument reads survey instruments from TOML files and holds the
// built-in default one.
package instrument

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/lvm-mail/lvm-mail/campaign"
)

//go:embed default.toml
var defaultTOML string

// file mirrors the TOML format of DESIGN.md.
type file struct {
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

// Default returns the built-in instrument.
func Default() campaign.Instrument {
	in, err := Parse(defaultTOML, "default instrument")
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	return in
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
	md, err := toml.Decode(text, &f)
	if err != nil {
		problems := &campaign.InputError{Source: source}
		var perr toml.ParseError
		if errors.As(err, &perr) {
			problems.Add(perr.Position.Line, perr.LastKey, "%s", perr.Message)
		} else {
			problems.Add(0, "", "%v", err)
		}
		return campaign.Instrument{}, problems
	}
	problems := &campaign.InputError{Source: source}
	for _, k := range md.Undecoded() {
		problems.Add(0, k.String(), "unknown key")
	}
	if err := problems.Err(); err != nil {
		return campaign.Instrument{}, err
	}
	in := campaign.Instrument{
		Title:   strings.TrimSpace(f.Title),
		Intro:   strings.TrimSpace(f.Intro),
		Comment: strings.TrimSpace(f.Comment),
	}
	for _, d := range f.Dimension {
		in.Dimensions = append(in.Dimensions, campaign.Dimension{ID: strings.TrimSpace(d.ID), Name: strings.TrimSpace(d.Name)})
	}
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
