// Package bounces reads the delivery reports that come back to the sender
// after a mail server accepted a message (Microsoft 365 and Google accept
// first and bounce later), and records them against the recipients they
// are about: a hard bounce (5.x.x) fails the recipient, a soft one (4.x.x)
// is counted.
//
// It understands RFC 3464 delivery status notifications and the common
// forms that are not quite that: Exchange and Microsoft 365 NDRs, Gmail's,
// and the plain-text reports of Exim and qmail. A report is matched to its
// recipient through the Message-ID of the message that bounced (see
// campaign.MessageRef), never through an address alone.
package bounces

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"unicode"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// ErrNotBounce means a message is not a report of a failed or delayed
// delivery: a reply, an out-of-office notice, a read receipt, a report of
// success, or any other mail.
var ErrNotBounce = errors.New("bounces: not a bounce report")

// A Report is what a bounce says.
type Report struct {
	// Key identifies the report itself: "mid:" and its own Message-ID, or
	// "sha256:" and the hash of its bytes when it has none.
	Key string
	// MessageIDs are the Message-IDs the report quotes of the message that
	// bounced, without angle brackets, most trustworthy first.
	MessageIDs []string
	Recipient  string // the address that failed, when the report names it
	Status     string // the enhanced status code, e.g. "5.1.1"
	Permanent  bool   // a hard bounce: failed for good (5.x.x)
	Diagnostic string // the receiving server's words, on one line
	Form       string // "RFC 3464" or the non-standard form recognised
}

// Message returns the lvm-mail message the report is about, from the first
// Message-ID it quotes that lvm-mail made, and false when it quotes none.
func (r *Report) Message() (campaign.MessageRef, bool) {
	for _, id := range r.MessageIDs {
		if ref, ok := campaign.ParseMessageID(id); ok {
			return ref, true
		}
	}
	return campaign.MessageRef{}, false
}

// maxDiagnostic bounds the diagnostic kept from a report.
const maxDiagnostic = 300

// Parse reads a raw message. It returns ErrNotBounce for a message that is
// not a bounce, another error for a bounce it cannot read (no status code
// in it, or broken MIME), and the Report otherwise.
func Parse(raw []byte) (*Report, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	p := &parts{}
	if err := p.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0); err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	r := &Report{Key: reportKey(msg.Header, raw)}

	form := ""
	switch {
	case len(p.statuses) > 0:
		form = "RFC 3464"
		found, err := r.readDeliveryStatus(p.statuses)
		if err != nil || !found {
			return nil, err
		}
	case isExchange(msg.Header):
		form = "Exchange NDR"
	case isGmail(msg.Header):
		form = "Gmail NDR"
	case looksLikeBounce(msg.Header):
		form = "plain-text bounce"
	default:
		return nil, ErrNotBounce
	}
	r.Form = form
	if r.Status == "" {
		// Not RFC 3464: the status and the server's words are in the text.
		if !r.readText(p.text()) {
			return nil, fmt.Errorf("%s: a bounce without a status code (such as 5.1.1) that lvm-mail can find", form)
		}
		if r.Recipient == "" {
			r.Recipient = strings.TrimSpace(msg.Header.Get("X-Failed-Recipients"))
		}
	}
	r.MessageIDs = append(r.MessageIDs, p.originalIDs...)
	for _, h := range []string{"In-Reply-To", "References"} {
		r.MessageIDs = append(r.MessageIDs, messageIDs(msg.Header.Get(h))...)
	}
	r.MessageIDs = append(r.MessageIDs, quotedIDs(p.text())...)
	return r, nil
}

func reportKey(h mail.Header, raw []byte) string {
	if ids := messageIDs(h.Get("Message-ID")); len(ids) > 0 {
		return "mid:" + ids[0]
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// parts collects what a report's MIME parts hold.
type parts struct {
	statuses    []string // message/delivery-status parts
	plain, html []string // text parts, decoded
	originalIDs []string // Message-IDs of the attached original messages or headers
}

func (p *parts) text() string {
	if len(p.plain) > 0 {
		return strings.Join(p.plain, "\n")
	}
	return htmlText(strings.Join(p.html, "\n"))
}

// maxDepth bounds how deep walk follows nested parts.
const maxDepth = 8

func (p *parts) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if depth > maxDepth {
		return errors.New("parts nested too deep")
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType = "text/plain" // RFC 2045's default, also for a header it cannot read
	}
	content, err := decode(body, h.Get("Content-Transfer-Encoding"))
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		mr := multipart.NewReader(bytes.NewReader(content), params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			// multipart removes a quoted-printable encoding itself and
			// drops the header that names it.
			if err := p.walk(part.Header, part, depth+1); err != nil {
				return err
			}
		}
	case mediaType == "message/delivery-status", mediaType == "message/global-delivery-status":
		p.statuses = append(p.statuses, string(content))
	case mediaType == "message/rfc822", mediaType == "text/rfc822-headers", mediaType == "message/global",
		mediaType == "message/global-headers":
		tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(content)))
		orig, err := tp.ReadMIMEHeader()
		if err != nil && len(orig) == 0 {
			return nil // a truncated copy: the Message-ID may still be in the text
		}
		p.originalIDs = append(p.originalIDs, messageIDs(orig.Get("Message-ID"))...)
	case mediaType == "text/plain":
		p.plain = append(p.plain, string(content))
	case mediaType == "text/html":
		p.html = append(p.html, string(content))
	}
	return nil
}

// maxPart bounds a part read into memory.
const maxPart = 4 << 20

func decode(r io.Reader, encoding string) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &skipSpace{r})
	}
	b, err := io.ReadAll(io.LimitReader(r, maxPart))
	if err != nil {
		return nil, fmt.Errorf("decode part: %w", err)
	}
	return b, nil
}

// skipSpace drops the line breaks (and stray spaces) of base64 text.
type skipSpace struct{ r io.Reader }

func (s *skipSpace) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// readDeliveryStatus reads RFC 3464 fields: the per-message block, then one
// block per recipient. It takes the recipient that failed (or else was
// delayed); it reports false, with ErrNotBounce, for a report that every
// recipient was delivered, relayed or expanded.
func (r *Report) readDeliveryStatus(statuses []string) (bool, error) {
	var chosen textproto.MIMEHeader
	chosenRank := 0
	for _, s := range statuses {
		tp := textproto.NewReader(bufio.NewReader(strings.NewReader(strings.TrimLeft(s, "\r\n"))))
		for {
			h, err := tp.ReadMIMEHeader()
			if h.Get("Action") != "" || h.Get("Final-Recipient") != "" {
				rank := 0
				switch strings.ToLower(strings.TrimSpace(h.Get("Action"))) {
				case "failed":
					rank = 2
				case "delayed":
					rank = 1
				}
				if rank > chosenRank {
					chosen, chosenRank = h, rank
				}
			}
			if err != nil {
				break
			}
		}
	}
	if chosen == nil {
		return false, ErrNotBounce
	}
	r.Recipient = addressOf(chosen.Get("Final-Recipient"))
	if orig := addressOf(chosen.Get("Original-Recipient")); orig != "" {
		r.Recipient = orig
	}
	r.Diagnostic = oneLine(diagnosticText(chosen.Get("Diagnostic-Code")))
	status := statusRE.FindString(chosen.Get("Status"))
	if status == "" {
		status = statusIn(r.Diagnostic)
	}
	if status == "" {
		return false, errors.New("RFC 3464: a failed recipient without a status code")
	}
	r.Status = status
	r.Permanent = chosenRank == 2 && status[0] == '5'
	if r.Diagnostic == "" {
		r.Diagnostic = "(the report gives no diagnostic)"
	}
	return true, nil
}

// addressOf reads "rfc822; someone@example.com".
func addressOf(field string) string {
	_, addr, ok := strings.Cut(field, ";")
	if !ok {
		addr = field
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
}

// diagnosticText reads "smtp; 550 5.1.1 ...".
func diagnosticText(field string) string {
	kind, text, ok := strings.Cut(field, ";")
	if ok && !strings.ContainsAny(kind, " ") {
		return text
	}
	return field
}

var (
	// statusRE matches an enhanced status code of a failure, not inside a
	// longer run of dotted numbers such as an IP address.
	statusRE = regexp.MustCompile(`(?:^|[^\d.])([45]\.\d{1,3}\.\d{1,3})(?:[^\d.]|$)`)
	// replyRE matches a basic SMTP failure reply at the start of a phrase.
	replyRE = regexp.MustCompile(`(?:^|[\s'"(#])([45][0-5]\d)[\s-]`)
	// idRE matches a Message-ID in angle brackets.
	idRE = regexp.MustCompile(`<([^<>\s@]+@[^<>\s@]+)>`)
	// quotedIDRE matches a Message-ID line quoted in a report's text.
	quotedIDRE = regexp.MustCompile(`(?im)^[ \t>]*Message-ID:[ \t]*<([^<>\s@]+@[^<>\s@]+)>`)
)

func statusIn(s string) string {
	if m := statusRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// readText finds the status and the diagnostic in a non-standard report's
// text: the first line that holds an enhanced status code (or else a
// basic SMTP failure reply) of a failure.
func (r *Report) readText(text string) bool {
	lines := strings.Split(text, "\n")
	for _, find := range []func(string) string{statusIn, func(s string) string {
		if m := replyRE.FindStringSubmatch(s); m != nil {
			return m[1][:1] + ".0.0"
		}
		return ""
	}} {
		for _, line := range lines {
			if status := find(line); status != "" {
				r.Status, r.Permanent, r.Diagnostic = status, status[0] == '5', oneLine(line)
				return true
			}
		}
	}
	return false
}

func messageIDs(field string) []string {
	var out []string
	for _, m := range idRE.FindAllStringSubmatch(field, -1) {
		out = append(out, m[1])
	}
	return out
}

func quotedIDs(text string) []string {
	var out []string
	for _, m := range quotedIDRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

func isExchange(h mail.Header) bool {
	return h.Get("X-MS-Exchange-Message-Is-Ndr") != "" ||
		strings.HasPrefix(strings.ToLower(h.Get("Subject")), "undeliverable:") && isDaemon(h)
}

func isGmail(h mail.Header) bool {
	from := strings.ToLower(h.Get("From"))
	return strings.Contains(from, "mailer-daemon@google") && looksLikeBounce(h)
}

// isDaemon reports whether the message comes from a mail system rather
// than a person: a null return path, or a sender such as MAILER-DAEMON or
// postmaster.
func isDaemon(h mail.Header) bool {
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return true
	}
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil {
		return false
	}
	local, _, _ := strings.Cut(strings.ToLower(from.Address), "@")
	switch local {
	case "mailer-daemon", "mail-daemon", "postmaster", "mailerdaemon", "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e":
		return true
	}
	return false
}

var bounceSubjectRE = regexp.MustCompile(`(?i)undeliver|delivery (status notification|failure|has failed|failed|incomplete|delayed)|` +
	`returned mail|failure notice|could not be delivered|non.?delivery|mail delivery failed|delivery notification`)

// looksLikeBounce reports whether a message without an RFC 3464 part is a
// bounce: sent by a mail system, about a failed delivery. An automatic
// reply (an out-of-office notice) comes from a person's address, so it is
// not one; Auto-Submitted does not tell them apart, as RFC 3834 asks
// bounces to carry it too.
func looksLikeBounce(h mail.Header) bool {
	if h.Get("X-Failed-Recipients") != "" {
		return true
	}
	return isDaemon(h) && bounceSubjectRE.MatchString(h.Get("Subject"))
}

// tagRE matches what htmlText removes: script and style elements whole,
// and tags; a line break or the end of a block (group 1) becomes a newline.
var tagRE = regexp.MustCompile(`(?is)<(?:script|style)\b.*?</(?:script|style)>|(<br\s*/?>|</(?:p|div|tr|li|pre|h\d)>)|<[^>]*>`)

// htmlText turns an HTML report into lines of text.
func htmlText(s string) string {
	return html.UnescapeString(tagRE.ReplaceAllStringFunc(s, func(tag string) string {
		if tagRE.FindStringSubmatch(tag)[1] != "" {
			return "\n"
		}
		return ""
	}))
}

// oneLine makes text one line without control characters, at most
// maxDiagnostic long.
func oneLine(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if len(s) > maxDiagnostic {
		cut := maxDiagnostic
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
