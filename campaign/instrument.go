package campaign

import (
	"fmt"
	"strings"
)

// A Pole is the side of the contrast an item is keyed to.
type Pole string

// The two poles of every dimension.
const (
	Leadership Pole = "leadership"
	Management Pole = "management"
)

// Poles lists the poles in the order reports show them.
var Poles = []Pole{Leadership, Management}

// Scale is the answer scale: every answer is a whole number from ScaleMin to
// ScaleMax, labelled by ScaleLabels.
const (
	ScaleMin = 1
	ScaleMax = 5
)

// ScaleLabels names the answers 1..5 in order.
var ScaleLabels = [ScaleMax]string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"}

// An Instrument is a questionnaire: dimensions, each with statements keyed
// to leadership and to management, and an optional free-text question, in
// its own language and in any translations. A campaign keeps a snapshot of
// its instrument, every language included.
type Instrument struct {
	// Language is the BCP 47 tag of the texts below; empty in snapshots
	// taken before translations existed, which are English (OwnLanguage).
	Language   string      `json:"language,omitempty"`
	Title      string      `json:"title"`
	Intro      string      `json:"intro"`
	Comment    string      `json:"comment,omitempty"` // the free-text question; empty for none
	Dimensions []Dimension `json:"dimensions"`
	Items      []Item      `json:"items"`
	// Translations are the same texts in other languages.
	Translations []Translation `json:"translations,omitempty"`
	// DefaultLanguage is the language, one of Languages, of the people
	// whose own language has none; empty means the instrument's own.
	DefaultLanguage string `json:"default_language,omitempty"`
}

// A Dimension is one contrast of leadership and management, such as
// "People or systems".
type Dimension struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// An Item is one statement answered on the agreement scale.
type Item struct {
	ID        string `json:"id"`
	Dimension string `json:"dimension"`
	Pole      Pole   `json:"pole"`
	Text      string `json:"text"`
}

// MaxCommentLength is the longest comment, in characters, a response keeps.
const MaxCommentLength = 2000

// Validate reports every problem with the instrument as an *InputError:
// empty texts, duplicate or malformed ids, unknown dimensions or poles,
// dimensions without an item of each pole, and the problems of its
// languages: a malformed tag, a translation that does not match the
// instrument (see CheckTranslation) or repeats a language, and a default
// language it has no texts in.
func (in *Instrument) Validate() error {
	problems := &InputError{Source: "instrument"}
	if strings.TrimSpace(in.Title) == "" {
		problems.Add(0, "title", "missing")
	}
	if len(in.Dimensions) == 0 {
		problems.Add(0, "dimension", "the instrument has no dimensions")
	}
	dims := map[string]bool{}
	for i, d := range in.Dimensions {
		field := fmt.Sprintf("dimension[%d]", i+1)
		switch {
		case d.ID == "":
			problems.Add(0, field+".id", "missing")
		case !validID(d.ID):
			problems.Add(0, field+".id", "%q may hold only letters, digits, '-' and '_'", d.ID)
		case dims[d.ID]:
			problems.Add(0, field+".id", "duplicate dimension id %q", d.ID)
		}
		dims[d.ID] = true
		if strings.TrimSpace(d.Name) == "" {
			problems.Add(0, field+".name", "missing")
		}
	}
	items := map[string]bool{}
	poles := map[string]map[Pole]bool{}
	badPole := map[string]bool{} // dimensions with an item of an unknown pole, already named
	for i, it := range in.Items {
		field := fmt.Sprintf("item[%d]", i+1)
		if it.ID != "" {
			field = fmt.Sprintf("item %q", it.ID)
		}
		switch {
		case it.ID == "":
			problems.Add(0, field+".id", "missing")
		case !validID(it.ID):
			problems.Add(0, field+".id", "%q may hold only letters, digits, '-' and '_'", it.ID)
		case it.ID == "comment":
			problems.Add(0, field+".id", "\"comment\" is reserved for the free-text question")
		case items[it.ID]:
			problems.Add(0, field+".id", "duplicate item id %q", it.ID)
		}
		items[it.ID] = true
		if !dims[it.Dimension] {
			problems.Add(0, field+".dimension", "unknown dimension %q", it.Dimension)
		}
		if it.Pole != Leadership && it.Pole != Management {
			problems.Add(0, field+".pole", "unknown pole %q (want %q or %q)", it.Pole, Leadership, Management)
			badPole[it.Dimension] = true
		}
		if strings.TrimSpace(it.Text) == "" {
			problems.Add(0, field+".text", "missing")
		}
		if poles[it.Dimension] == nil {
			poles[it.Dimension] = map[Pole]bool{}
		}
		poles[it.Dimension][it.Pole] = true
	}
	for _, d := range in.Dimensions {
		for _, p := range Poles {
			if d.ID != "" && !badPole[d.ID] && !poles[d.ID][p] {
				problems.Add(0, fmt.Sprintf("dimension %q", d.ID), "has no %s item", p)
			}
		}
	}
	if len(problems.Problems) == 0 {
		in.validateLanguages(problems)
	}
	return problems.Err()
}

func validID(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}
