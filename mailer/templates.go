package mailer

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	texttemplate "text/template"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// Data is what the email templates receive.
type Data struct {
	Language     string // the BCP 47 tag of the templates' language, e.g. "de"
	Name         string // the person's name, as on the roster
	FirstName    string // their first name when the roster has a first_name column; empty otherwise
	Organisation string // the organisation setting
	Campaign     string // the campaign's name
	Link         string // the person's own survey link
	StopLink     string // the page that stops the person's reminders (Link + "/stop")
	Closes       string // the last day answers are taken, in the templates' language: "Friday 18 December 2026", "Freitag, 18. Dezember 2026"; empty when the campaign has no closing date
	MinGroupSize int    // the anonymity threshold: groups are shown only with at least this many responses
	// MinCommentGroup is how many must have responded before comments are
	// shown, and how many of a department before a comment names it.
	MinCommentGroup int
	Reminder        int // which reminder this is (1, 2, …); 0 in the invitation
}

// Rendered is a message's text, before it becomes MIME.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Templates are the parsed email templates of both kinds of message, in
// each language they are written in. They are safe for concurrent use.
type Templates struct {
	languages []string                                           // in the order of their folders
	byLang    map[string]map[campaign.MessageKind]*kindTemplates // language → kind → templates
}

type kindTemplates struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
	// The sizes of the last rendering, to render the next one into a
	// buffer of the right size at once.
	textSize, htmlSize atomic.Int64
}

// TemplateFiles returns the names of the template files of a kind of
// message: the subject, the plain text and the HTML.
func TemplateFiles(kind campaign.MessageKind) (subject, text, html string) {
	return string(kind) + "-subject.txt", string(kind) + ".txt", string(kind) + ".html"
}

// sentinelLink stands for a survey link while the templates are checked.
const sentinelLink = "https://survey.invalid/s/CHECK-THAT-THE-TEMPLATE-SHOWS-THE-LINK-0"

// ParseTemplates reads and checks the email templates of fsys (see package
// templates): a folder per language, named by its BCP 47 tag (en/, de/,
// fr-CA/), each with the six template files. It fails on a folder that is
// not named by a known language, on files at the top of fsys (the layout
// before languages; they belong in the folder of their language), and on
// the first file that is missing, does not parse, fails to render sample
// data, or leaves out the survey link (the link must be in both the plain
// text and the HTML); the error names the file. Parse once at start-up,
// before anything is sent.
func ParseTemplates(fsys fs.FS) (*Templates, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	t := &Templates{byLang: map[string]map[campaign.MessageKind]*kindTemplates{}}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
			continue
		case !e.IsDir() && slices.Contains(allFiles(), name):
			return nil, fmt.Errorf("email template %s is at the top of the templates folder, but templates now live in a folder per language: "+
				"move the six files into a folder named for their language, such as en/ or de/", name)
		case !e.IsDir():
			continue
		}
		lang, err := locale.Parse(name)
		if err != nil || lang != name {
			return nil, fmt.Errorf("email templates: the folder %s/ is not named by a language tag such as en, de or fr-CA (a folder per language holds its six templates)", name)
		}
		kinds, err := parseLanguage(fsys, lang)
		if err != nil {
			return nil, err
		}
		t.languages = append(t.languages, lang)
		t.byLang[lang] = kinds
	}
	if len(t.languages) == 0 {
		return nil, fmt.Errorf("email templates: no folder of templates; a folder per language (en/, de/, …) holds the six files (%s)", strings.Join(allFiles(), ", "))
	}
	return t, nil
}

// parseLanguage parses and checks the templates in the folder of lang.
func parseLanguage(fsys fs.FS, lang string) (map[campaign.MessageKind]*kindTemplates, error) {
	kinds := map[campaign.MessageKind]*kindTemplates{}
	for _, kind := range []campaign.MessageKind{campaign.Invitation, campaign.Reminder} {
		subjectFile, textFile, htmlFile := TemplateFiles(kind)
		kt := &kindTemplates{}
		var err error
		if kt.subject, err = parseText(fsys, path.Join(lang, subjectFile)); err != nil {
			return nil, err
		}
		if kt.text, err = parseText(fsys, path.Join(lang, textFile)); err != nil {
			return nil, err
		}
		name := path.Join(lang, htmlFile)
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, templateError(name, err)
		}
		if kt.html, err = htmltemplate.New(name).Option("missingkey=error").Parse(string(src)); err != nil {
			return nil, templateError(name, err)
		}
		kinds[kind] = kt
		if err := check(kt, kind, lang); err != nil {
			return nil, err
		}
	}
	return kinds, nil
}

// Languages returns the languages the templates are written in.
func (t *Templates) Languages() []string { return slices.Clone(t.languages) }

// Language returns the language of the templates a message in lang is
// written with: lang's own, or one along its subtags ("de-CH" gets "de"),
// else fallback's, along its subtags too. ok is false when lang had none
// of its own; lang is "" when fallback has none either.
func (t *Templates) Language(lang, fallback string) (used string, ok bool) {
	if l, ok := campaign.MatchLanguage(lang, t.languages); ok {
		return l, true
	}
	l, _ := campaign.MatchLanguage(fallback, t.languages)
	return l, false
}

func parseText(fsys fs.FS, name string) (*texttemplate.Template, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, templateError(name, err)
	}
	t, err := texttemplate.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, templateError(name, err)
	}
	return t, nil
}

func templateError(name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("email template %s is missing: the folder of each language must hold all six files (%s)", name, strings.Join(allFiles(), ", "))
	}
	return fmt.Errorf("email template %s: %w", name, err)
}

func allFiles() []string {
	var names []string
	for _, kind := range []campaign.MessageKind{campaign.Invitation, campaign.Reminder} {
		s, t, h := TemplateFiles(kind)
		names = append(names, s, t, h)
	}
	return names
}

// check renders a kind's templates in lang with sample data, with and
// without a closing date and a first name, and makes sure the link is in
// both bodies.
func check(kt *kindTemplates, kind campaign.MessageKind, lang string) error {
	subjectFile, textFile, htmlFile := TemplateFiles(kind)
	closes := locale.LongDate(time.Date(2026, 12, 18, 0, 0, 0, 0, time.UTC), lang)
	for _, sample := range []struct{ closes, first string }{{closes, "Zoë"}, {"", ""}} {
		d := Data{Language: lang, Name: "Zoë Example", FirstName: sample.first, Organisation: "Example Ltd", Campaign: "Example campaign",
			Link: sentinelLink, Closes: sample.closes, MinGroupSize: 5, MinCommentGroup: campaign.MinCommentGroupSize, Reminder: 1}
		r, err := kt.render(kind, d)
		if err != nil {
			return err
		}
		defer r.release()
		if r.subject == "" {
			return fmt.Errorf("email template %s: the subject is empty", path.Join(lang, subjectFile))
		}
		if !strings.Contains(r.text.String(), sentinelLink) {
			return fmt.Errorf("email template %s does not contain the survey link {{.Link}}: staff would have no way to answer", path.Join(lang, textFile))
		}
		if !strings.Contains(r.html.String(), sentinelLink) {
			return fmt.Errorf("email template %s does not contain the survey link {{.Link}}: staff would have no way to answer", path.Join(lang, htmlFile))
		}
	}
	return nil
}

// Render fills in the templates of kind in the language d.Language (one
// of Languages) with d. The subject is trimmed to one line. An error names
// the template file that failed.
func (t *Templates) Render(kind campaign.MessageKind, d Data) (Rendered, error) {
	r, err := t.render(kind, d)
	if err != nil {
		return Rendered{}, err
	}
	defer r.release()
	return Rendered{Subject: r.subject, Text: r.text.String(), HTML: r.html.String()}, nil
}

// buffers recycles the buffers messages are rendered into: a run renders
// thousands of messages of the same size.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// rendering is a message rendered into pooled buffers.
type rendering struct {
	subject    string
	text, html *bytes.Buffer
}

// release returns the buffers to the pool; the bodies must not be used
// after it.
func (r *rendering) release() {
	for _, b := range []*bytes.Buffer{r.text, r.html} {
		if b != nil {
			b.Reset()
			buffers.Put(b)
		}
	}
	r.text, r.html = nil, nil
}

// render is Render into pooled buffers.
func (t *Templates) render(kind campaign.MessageKind, d Data) (*rendering, error) {
	kt, ok := t.byLang[d.Language][kind]
	if !ok {
		return nil, fmt.Errorf("render: no %s templates in %q", kind, d.Language)
	}
	return kt.render(kind, d)
}

// render fills in the templates with d into pooled buffers.
func (kt *kindTemplates) render(kind campaign.MessageKind, d Data) (*rendering, error) {
	var b strings.Builder
	if err := kt.subject.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", kind, err)
	}
	// Line breaks and runs of spaces become one space; a no-break space,
	// as French puts before ':' and '?', stays.
	r := &rendering{subject: strings.Join(strings.FieldsFunc(b.String(), asciiSpace), " "),
		text: buffers.Get().(*bytes.Buffer), html: buffers.Get().(*bytes.Buffer)}
	r.text.Grow(int(kt.textSize.Load()) + 256)
	if err := kt.text.Execute(r.text, d); err != nil {
		r.release()
		return nil, fmt.Errorf("render %s: %w", kind, err)
	}
	kt.textSize.Store(int64(r.text.Len()))
	r.html.Grow(int(kt.htmlSize.Load()) + 256)
	if err := kt.html.Execute(r.html, d); err != nil {
		r.release()
		return nil, fmt.Errorf("render %s: %w", kind, err)
	}
	kt.htmlSize.Store(int64(r.html.Len()))
	return r, nil
}

func asciiSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}
