package instrument

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// LoadTranslation reads a translation of base from the TOML file at path
// (see ParseTranslation).
func LoadTranslation(path string, base *campaign.Instrument) (campaign.Translation, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return campaign.Translation{}, fmt.Errorf("read translation: %w", err)
	}
	return ParseTranslation(string(b), path, base)
}

// ParseTranslation decodes a translation of base and checks it against
// base before anything is stored: a BCP 47 language tag of a known
// language (written canonically, "de_ch" as "de-CH"), a title, the intro
// and comment question where base has them, and every dimension name and
// statement text of base, by id, once, with nothing extra and nothing
// empty (campaign.Instrument.CheckTranslation). Every problem is named in
// one *campaign.InputError whose source is source.
func ParseTranslation(text, source string, base *campaign.Instrument) (campaign.Translation, error) {
	// A translation file has the instrument's format, with only the texts.
	// An item may repeat its dimension and pole; when it does, they must be
	// the instrument's, which catches a statement put under the wrong id.
	var f file
	if err := decode(text, source, &f); err != nil {
		return campaign.Translation{}, err
	}
	problems := &campaign.InputError{Source: source}
	t := campaign.Translation{
		Language: strings.TrimSpace(f.Language),
		Title:    strings.TrimSpace(f.Title),
		Intro:    strings.TrimSpace(f.Intro),
		Comment:  strings.TrimSpace(f.Comment),
	}
	if t.Language != "" {
		lang, err := locale.Parse(t.Language)
		if err != nil {
			problems.Add(0, "language", "%v", err)
		} else {
			t.Language = lang
		}
	}
	t.Dimensions = f.dimensions()
	byID := map[string]campaign.Item{}
	for _, it := range base.Items {
		byID[it.ID] = it
	}
	for _, it := range f.Item {
		id := strings.TrimSpace(it.ID)
		t.Items = append(t.Items, campaign.ItemText{ID: id, Text: strings.TrimSpace(it.Text)})
		want, ok := byID[id]
		if !ok {
			continue // CheckTranslation names it
		}
		if d := strings.TrimSpace(it.Dimension); d != "" && d != want.Dimension {
			problems.Add(0, fmt.Sprintf("item %q.dimension", id), "%q, but in the instrument it is in %q: is the text under the right id?", d, want.Dimension)
		}
		if p := campaign.Pole(strings.TrimSpace(it.Pole)); p != "" && p != want.Pole {
			problems.Add(0, fmt.Sprintf("item %q.pole", id), "%q, but in the instrument it is %q: is the text under the right id?", p, want.Pole)
		}
	}
	if err := base.CheckTranslation(&t); err != nil {
		var ie *campaign.InputError
		if errors.As(err, &ie) {
			for _, p := range ie.Problems {
				if p.Field == "language" && len(problems.Problems) > 0 && problems.Problems[0].Field == "language" {
					continue // already named, by the stricter check
				}
				problems.Problems = append(problems.Problems, p)
			}
		}
	}
	if err := problems.Err(); err != nil {
		return campaign.Translation{}, err
	}
	return t, nil
}
