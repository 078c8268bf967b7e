package mailer

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	texttemplate "text/template"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// Data is what the email templates receive.
type Data struct {
	Name         string // the person's name, as on the roster
	FirstName    string // their first name when the roster has a first_name column; empty otherwise
	Organisation string // the organisation setting
	Campaign     string // the campaign's name
	Link         string // the person's own survey link
	StopLink     string // the page that stops the person's reminders (Link + "/stop")
	Closes       string // the last day answers are taken, e.g. "Friday 18 December 2026"; empty when the campaign has no closing date
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

// Templates are the parsed email templates of both kinds of message. They
// are safe for concurrent use.
type Templates struct {
	kinds map[campaign.MessageKind]*kindTemplates
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

// ParseTemplates reads and checks the six template files of fsys (see
// package templates). It fails on the first file that is missing, does not
// parse, fails to render sample data, or leaves out the survey link (the
// link must be in both the plain text and the HTML); the error names the
// file. Parse once at start-up, before anything is sent.
func ParseTemplates(fsys fs.FS) (*Templates, error) {
	t := &Templates{kinds: map[campaign.MessageKind]*kindTemplates{}}
	for _, kind := range []campaign.MessageKind{campaign.Invitation, campaign.Reminder} {
		subjectFile, textFile, htmlFile := TemplateFiles(kind)
		kt := &kindTemplates{}
		var err error
		if kt.subject, err = parseText(fsys, subjectFile); err != nil {
			return nil, err
		}
		if kt.text, err = parseText(fsys, textFile); err != nil {
			return nil, err
		}
		src, err := fs.ReadFile(fsys, htmlFile)
		if err != nil {
			return nil, templateError(htmlFile, err)
		}
		if kt.html, err = htmltemplate.New(htmlFile).Option("missingkey=error").Parse(string(src)); err != nil {
			return nil, templateError(htmlFile, err)
		}
		t.kinds[kind] = kt
		if err := t.check(kind); err != nil {
			return nil, err
		}
	}
	return t, nil
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
		return fmt.Errorf("email template %s is missing: a templates_dir must hold all six files (%s)", name, strings.Join(allFiles(), ", "))
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

// check renders the kind's templates with sample data, with and without a
// closing date and a first name, and makes sure the link is in both
// bodies.
func (t *Templates) check(kind campaign.MessageKind) error {
	subjectFile, textFile, htmlFile := TemplateFiles(kind)
	for _, sample := range []struct{ closes, first string }{{"Friday 18 December 2026", "Zoë"}, {"", ""}} {
		d := Data{Name: "Zoë Example", FirstName: sample.first, Organisation: "Example Ltd", Campaign: "Example campaign",
			Link: sentinelLink, Closes: sample.closes, MinGroupSize: 5, MinCommentGroup: campaign.MinCommentGroupSize, Reminder: 1}
		r, err := t.Render(kind, d)
		if err != nil {
			return err
		}
		if strings.TrimSpace(r.Subject) == "" {
			return fmt.Errorf("email template %s: the subject is empty", subjectFile)
		}
		if !strings.Contains(r.Text, sentinelLink) {
			return fmt.Errorf("email template %s does not contain the survey link {{.Link}}: staff would have no way to answer", textFile)
		}
		if !strings.Contains(r.HTML, sentinelLink) {
			return fmt.Errorf("email template %s does not contain the survey link {{.Link}}: staff would have no way to answer", htmlFile)
		}
	}
	return nil
}

// Render fills in the templates of kind with d. The subject is trimmed to
// one line. An error names the template file that failed.
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
	kt, ok := t.kinds[kind]
	if !ok {
		return nil, fmt.Errorf("render: no templates for %q", kind)
	}
	var b strings.Builder
	if err := kt.subject.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", kind, err)
	}
	r := &rendering{subject: strings.Join(strings.Fields(b.String()), " "),
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
