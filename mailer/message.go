package mailer

import (
	"bytes"
	"fmt"
	"html"
	"io"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// Link returns a recipient's survey link: BASE_URL/s/TOKEN.
func Link(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/s/" + token
}

// StopLink returns the link that stops a person's reminders, from their
// survey link: BASE_URL/s/TOKEN/stop. A POST to it stops them (RFC 8058
// one-click); a GET shows a page with a button.
func StopLink(link string) string { return link + "/stop" }

// PlaceholderToken stands in previews where a person's token goes. It has
// the shape of a real token (43 URL-safe characters) so the message looks
// as it will, but it opens no survey, and the real token never reaches a
// terminal or its scrollback.
const PlaceholderToken = "PREVIEW-PLACEHOLDER-NOT-A-REAL-TOKEN-XXXXXX"

// Headers set on every message. Auto-Submitted (RFC 3834) and the bulk
// headers keep out-of-office robots from answering; the test header marks
// a message sent by preview --to.
const (
	HeaderAutoSubmitted       = "Auto-Submitted"
	HeaderTest                = "X-LVM-Mail-Test"
	HeaderListUnsubscribe     = "List-Unsubscribe"
	HeaderListUnsubscribePost = "List-Unsubscribe-Post"
)

// TestSubjectPrefix starts the subject of a test message.
const TestSubjectPrefix = "[TEST] "

// A Composer turns a recipient and their link into the email to send.
type Composer struct {
	templates    *Templates
	from         netmail.Address
	domain       string
	organisation string
	loc          *time.Location
	now          func() time.Time
	boundary     string
	dkim         *DKIM
}

// ComposerOptions configure a Composer.
type ComposerOptions struct {
	From         string           // the sender, e.g. "People Team <people@example.com>"
	Organisation string           // shown in the emails
	Location     *time.Location   // where closing dates are shown; nil: UTC
	Now          func() time.Time // the Date of each message; nil: time.Now
	Boundary     string           // a fixed MIME boundary, for golden files; empty: random
	DKIM         *DKIM            // signs every message; nil: unsigned
}

// NewComposer returns a Composer for the parsed templates. It returns an
// error when From is not an email address with an optional name, and when
// the DKIM signing domain does not align with From's domain (DMARC would
// fail).
func NewComposer(t *Templates, opts ComposerOptions) (*Composer, error) {
	from, err := netmail.ParseAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("smtp.from %q is not an address such as \"People Team <people@example.com>\": %w", opts.From, err)
	}
	at := strings.LastIndexByte(from.Address, '@')
	if at < 0 {
		return nil, fmt.Errorf("smtp.from %q has no domain", opts.From)
	}
	c := &Composer{templates: t, from: *from, domain: from.Address[at+1:], organisation: opts.Organisation,
		loc: opts.Location, now: opts.Now, boundary: opts.Boundary, dkim: opts.DKIM}
	if c.dkim != nil {
		if err := c.dkim.checkAlignment(c.domain); err != nil {
			return nil, err
		}
	}
	if c.loc == nil {
		c.loc = time.UTC
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Signing describes the DKIM signature every message gets, such as
// "d=example.com s=lvm rsa-2048", or "" when messages are not signed.
func (c *Composer) Signing() string {
	if c.dkim == nil {
		return ""
	}
	return c.dkim.String()
}

// From returns the sender's address (without the name), the envelope
// sender of every message.
func (c *Composer) From() string { return c.from.Address }

// A Letter is one message to compose: which kind, for whom, with which link.
type Letter struct {
	Kind      campaign.MessageKind
	Campaign  *campaign.Campaign
	Recipient *campaign.Recipient
	Link      string // the recipient's survey link
	Reminder  int    // for a reminder, which one (1, 2, …)
	Test      bool   // a test sent by preview --to: marked in the subject and a header
	// Language, when set, is the language to write in instead of the
	// recipient's own (preview --language).
	Language string
}

// Language returns the language the letter is written in, the language of
// its templates: the recipient's language in the campaign
// (campaign.Instrument.MatchLanguage of their roster language) or the
// letter's Language, when it has templates of its own, and otherwise the
// campaign's default language (Templates.Language). own is false when the
// person's language had no templates; lang is "" when the default has
// none either.
func (c *Composer) Language(l Letter) (lang string, own bool) {
	want := l.Language
	if want == "" {
		want, _ = l.Campaign.Instrument.MatchLanguage(l.Recipient.Language)
	}
	return c.TemplateLanguage(want, l.Campaign)
}

// TemplateLanguage returns the language of the templates a message to a
// person who answers camp in lang is written with (see Language).
func (c *Composer) TemplateLanguage(lang string, camp *campaign.Campaign) (used string, own bool) {
	return c.templates.Language(lang, camp.Instrument.FallbackLanguage())
}

// MessageID returns the Message-ID of the letter, without angle brackets.
// It is the same each time the same message is composed, so that a
// message sent twice (after its fate was unknown) is recognised as one by
// the mail systems that do; it is built from the campaign, the recipient
// and the kind of message (see campaign.MessageRef), never from the token,
// and a bounce that quotes it leads back to the recipient. A test message
// gets an ID of its own.
func (c *Composer) MessageID(l Letter) string {
	ref := campaign.NewMessageRef(l.Campaign, l.Recipient.ID, l.Kind, l.Reminder)
	ref.Test = l.Test
	return ref.MessageID(c.domain, c.now())
}

// Data returns what the templates receive for the letter, in its
// language (see Language).
func (c *Composer) Data(l Letter) Data {
	lang, _ := c.Language(l)
	d := Data{
		Language:     lang,
		Name:         l.Recipient.Name,
		FirstName:    l.Recipient.FirstName,
		Organisation: c.organisation,
		Campaign:     l.Campaign.Name,
		Link:         l.Link,
		StopLink:     StopLink(l.Link),
		MinGroupSize: l.Campaign.MinGroupSize,
		// The same rule as the survey page's promise.
		MinCommentGroup: campaign.MinCommentGroupSize,
	}
	if l.Kind == campaign.Reminder {
		d.Reminder = l.Reminder
	}
	if t := l.Campaign.ClosingDate(); !t.IsZero() {
		// The closing time is the first moment answers are refused; the
		// last day answers are taken is the day before that moment.
		d.Closes = locale.LongDate(t.In(c.loc).Add(-time.Nanosecond), lang)
	}
	return d
}

// Compose renders the letter and builds the MIME message: the plain text
// first and the HTML as the preferred alternative, the recipient's name
// and the subject encoded as RFC 2047 requires, a stable Message-ID, the
// Date, headers that ask robots not to answer, the one-click opt-out of
// RFC 8058, and a DKIM signature when the Composer has a key. It returns an error
// when a template fails or the rendered message lacks the link.
func (c *Composer) Compose(l Letter) (*mail.Msg, error) {
	m, _, err := c.compose(l)
	return m, err
}

// compose is Compose with the rendered bodies in pooled buffers: call
// release once the message will not be written again.
func (c *Composer) compose(l Letter) (m *mail.Msg, release func(), err error) {
	d := c.Data(l)
	if d.Language == "" {
		return nil, nil, fmt.Errorf("compose %s to %s: no email templates in %s, the default language of campaign %s (templates: %s)",
			l.Kind, l.Recipient.Email, l.Campaign.Instrument.FallbackLanguage(), l.Campaign.Slug, strings.Join(c.templates.Languages(), ", "))
	}
	r, err := c.templates.render(l.Kind, d)
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Contains(r.text.Bytes(), []byte(l.Link)) ||
		!(bytes.Contains(r.html.Bytes(), []byte(l.Link)) || bytes.Contains(r.html.Bytes(), []byte(html.EscapeString(l.Link)))) {
		r.release()
		return nil, nil, fmt.Errorf("compose %s to %s: the rendered message lacks the survey link", l.Kind, l.Recipient.Email)
	}
	opts := []mail.MsgOption{mail.WithNoDefaultUserAgent()}
	if c.boundary != "" {
		opts = append(opts, mail.WithBoundary(c.boundary))
	}
	m = mail.NewMsg(opts...)
	from := c.from
	m.FromMailAddress(&from)
	m.ToMailAddress(&netmail.Address{Name: l.Recipient.Name, Address: l.Recipient.Email})
	subject := r.subject
	if l.Test {
		subject = TestSubjectPrefix + subject
		m.SetGenHeader(HeaderTest, "yes")
	}
	m.Subject(subject)
	m.SetMessageIDWithValue(c.MessageID(l))
	m.SetDateWithValue(c.now().In(c.loc))
	m.SetGenHeader(HeaderAutoSubmitted, "auto-generated")
	m.SetBulk() // Precedence: bulk and X-Auto-Response-Suppress: All
	// RFC 8058 one-click opt-out of the reminders, which the large mailbox
	// providers expect of bulk senders; the header must be an HTTPS (or
	// HTTP) URI in angle brackets, and a POST to it must need nothing else.
	m.SetGenHeader(HeaderListUnsubscribe, "<"+StopLink(l.Link)+">")
	m.SetGenHeader(HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	if l.Kind == campaign.Reminder {
		inv := l
		inv.Kind, inv.Test = campaign.Invitation, false
		m.SetGenHeader(mail.HeaderInReplyTo, "<"+c.MessageID(inv)+">")
		m.SetGenHeader(mail.HeaderReferences, "<"+c.MessageID(inv)+">")
	}
	m.SetBodyWriter(mail.TypeTextPlain, writeBytes(r.text.Bytes()))
	m.AddAlternativeWriter(mail.TypeTextHTML, writeBytes(r.html.Bytes()))
	if c.dkim != nil {
		m.SetDKIM(c.dkim.signer(c.now))
	}
	return m, r.release, nil
}

// writeBytes hands b to go-mail without copying it into a string first.
func writeBytes(b []byte) func(io.Writer) (int64, error) {
	return func(w io.Writer) (int64, error) {
		n, err := w.Write(b)
		return int64(n), err
	}
}
