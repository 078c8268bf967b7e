package mailer

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// Data is what the email templates receive.
type Data struct {
	Name         string // the person's name, as on the roster
	Organisation string // the organisation setting
	Campaign     string // the campaign's name
	Link         string // the person's own survey link
	Closes       string // the last day answers are taken, e.g. "Friday 18 December 2026"; empty when the campaign has no closing date
	MinGroupSize int    // the anonymity threshold: groups are shown only with at least this many responses
	Reminder     int    // which reminder this is (1, 2, …); 0 in the invitation
}

// Rendered is a message's text, before it becomes MIME.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Templates are the parsed email templates of both kinds of message.
type Templates struct {
	kinds map[campaign.MessageKind]*kindTemplates
}

type kindTemplates struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
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
		var kt kindTemplates
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
		t.kinds[kind] = &kt
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
// closing date, and makes sure the link is in both bodies.
func (t *Templates) check(kind campaign.MessageKind) error {
	subjectFile, textFile, htmlFile := TemplateFiles(kind)
	for _, closes := range []string{"Friday 18 December 2026", ""} {
		d := Data{Name: "Zoë Example", Organisation: "Example Ltd", Campaign: "Example campaign", Link: sentinelLink,
			Closes: closes, MinGroupSize: 5, Reminder: 1}
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
	kt, ok := t.kinds[kind]
	if !ok {
		return Rendered{}, fmt.Errorf("render: no templates for %q", kind)
	}
	var r Rendered
	var b bytes.Buffer
	if err := kt.subject.Execute(&b, d); err != nil {
		return r, fmt.Errorf("render %s: %w", kind, err)
	}
	r.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := kt.text.Execute(&b, d); err != nil {
		return r, fmt.Errorf("render %s: %w", kind, err)
	}
	r.Text = b.String()
	b.Reset()
	if err := kt.html.Execute(&b, d); err != nil {
		return r, fmt.Errorf("render %s: %w", kind, err)
	}
	r.HTML = b.String()
	return r, nil
}
