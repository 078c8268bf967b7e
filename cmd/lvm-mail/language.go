package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/locale"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/survey"
)

// campaignInstrument reads the instrument a new campaign asks: the survey
// FILE or the built-in one, with each translation FILE checked against it
// and in place of a translation into the same language, and
// survey.default_language as the language of everyone else. Every broken
// translation is named before anything is created.
func (e *env) campaignInstrument(survey string, translations []string) (campaign.Instrument, error) {
	in := instrument.Default()
	if survey != "" {
		var err error
		if in, err = instrument.Load(survey); err != nil {
			return campaign.Instrument{}, err
		}
	}
	var errs []error
	for _, path := range translations {
		t, err := instrument.LoadTranslation(path, &in)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		in.SetTranslation(t)
	}
	if err := errors.Join(errs...); err != nil {
		return campaign.Instrument{}, err
	}
	def := e.cfg.Survey.DefaultLanguage
	lang, ok := campaign.MatchLanguage(def, in.Languages())
	if !ok {
		return campaign.Instrument{}, fmt.Errorf("survey.default_language is %q, but this survey is in %s only: "+
			"add a translation into %s (--translation FILE), or set survey.default_language to one of those",
			def, strings.Join(in.Languages(), ", "), def)
	}
	in.DefaultLanguage = lang
	return in, nil
}

// languageCount counts a campaign's invitees by the language they get.
type languageCount struct {
	byLanguage map[string]int
	unmatched  map[string]int // roster tags no language of the campaign matched, with how many have each
	fallback   string
}

func countLanguages(camp *campaign.Campaign, recipients []campaign.Recipient) languageCount {
	lc := languageCount{byLanguage: map[string]int{}, unmatched: map[string]int{}, fallback: camp.Instrument.FallbackLanguage()}
	for _, r := range recipients {
		lang, ok := camp.Instrument.MatchLanguage(r.Language)
		lc.byLanguage[lang]++
		if !ok && r.Language != "" {
			lc.unmatched[r.Language]++
		}
	}
	return lc
}

// String says it in a line or two: "Languages: en 4, de 3, fr 3, es 3."
// and who gets the fallback for want of their own.
func (lc languageCount) String(order []string) string {
	var parts []string
	for _, l := range order {
		if n := lc.byLanguage[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l, n))
		}
	}
	s := "Languages: " + strings.Join(parts, ", ") + "."
	if len(lc.unmatched) > 0 {
		n := 0
		var tags []string
		for _, tag := range slices.Sorted(maps.Keys(lc.unmatched)) {
			n += lc.unmatched[tag]
			tags = append(tags, tag)
		}
		s += fmt.Sprintf("\n%d %s a language this campaign has no translation into (%s): they get %s, the default language.",
			n, plural(n, "person has", "people have"), strings.Join(tags, ", "), lc.fallback)
	}
	return s
}

// printLanguages says in which languages a campaign's invitees answer
// and, given the composer of its emails, which languages' emails use the
// default language's templates for want of their own.
func (e *env) printLanguages(ctx context.Context, store *campaign.Store, camp *campaign.Campaign, comp *mailer.Composer) error {
	recipients, err := store.FindRecipients(ctx, camp.ID)
	if err != nil {
		return err
	}
	lc := countLanguages(camp, recipients)
	fmt.Fprintln(e.stdout, lc.String(camp.Instrument.Languages()))
	for _, lang := range camp.Instrument.Languages() {
		if _, ok := campaign.MatchLanguage(lang, survey.Languages()); !ok && lc.byLanguage[lang] > 0 {
			page, _ := campaign.MatchLanguage(camp.Instrument.FallbackLanguage(), survey.Languages())
			fmt.Fprintf(e.stdout, "The survey page's own words (the promise, the answers to choose from, the buttons) are not in %s: "+
				"people answering in %s read the statements in %s and those words in %s. The page speaks %s.\n",
				lang, lang, lang, page, strings.Join(survey.Languages(), ", "))
		}
	}
	if comp == nil {
		return nil
	}
	for _, lang := range camp.Instrument.Languages() {
		n := lc.byLanguage[lang]
		if used, own := comp.TemplateLanguage(lang, camp); !own && n > 0 {
			fmt.Fprintf(e.stdout, "Emails to the %d %s in %s use the %s templates: there are none in %s (add the folder %s/ to templates_dir).\n",
				n, plural(n, "person", "people"), lang, used, lang, lang)
		}
	}
	return nil
}

// linesNamed is how many lines a note about languages names.
const linesNamed = 5

// A languageNote counts, while a roster is imported, the people whose
// language no language of the built-in survey matches, and so who will
// get survey.default_language unless their campaign has a translation
// into theirs, with the first few lines. A tag that is no tag at all is
// not an error either.
type languageNote struct {
	builtIn []string
	def     string
	people  int
	where   []string // "7 (pt-BR)"
}

func (e *env) newLanguageNote() *languageNote {
	in := instrument.Default()
	return &languageNote{builtIn: in.Languages(), def: e.cfg.Survey.DefaultLanguage}
}

// watch passes the rows of a roster on, noting each person's language.
func (n *languageNote) watch(rows iter.Seq2[campaign.RosterRow, error]) iter.Seq2[campaign.RosterRow, error] {
	return func(yield func(campaign.RosterRow, error) bool) {
		for row, err := range rows {
			if err == nil && row.Member != nil {
				n.see(row.Line, row.Member.Language())
			}
			if !yield(row, err) {
				return
			}
		}
	}
}

func (n *languageNote) see(line int, tag string) {
	if tag == "" {
		return
	}
	if _, ok := campaign.MatchLanguage(tag, n.builtIn); ok {
		return
	}
	n.people++
	if len(n.where) < linesNamed {
		what := tag
		if !locale.Known(tag) {
			what += ", not a known language tag"
		}
		n.where = append(n.where, fmt.Sprintf("%d (%s)", line, what))
	}
}

// String says it in a sentence, naming the first few lines; "" when no
// one's language is missing.
func (n *languageNote) String() string {
	if n.people == 0 {
		return ""
	}
	list := "line " + n.where[0]
	if len(n.where) > 1 {
		list = "lines " + strings.Join(n.where, ", ")
	}
	if n.people > len(n.where) {
		list += fmt.Sprintf(" and %d more", n.people-len(n.where))
	}
	return fmt.Sprintf("%d %s a language the built-in survey is not translated into (it speaks %s): they will get %s, the default language, "+
		"unless their campaign has a translation into theirs (campaign create --translation FILE). See %s.",
		n.people, plural(n.people, "person has", "people have"), strings.Join(n.builtIn, ", "), n.def, list)
}
