package mailer

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
)

// A HeaderField is one header line of a message, unfolded, with any
// RFC 2047 encoded words decoded.
type HeaderField struct {
	Name  string
	Value string // decoded
	Raw   string // as written in the message, unfolded
}

// A Decoded message is an email read back from its MIME form.
type Decoded struct {
	Header []HeaderField // in the order of the message
	Text   string        // the text/plain part, decoded
	HTML   string        // the text/html part, decoded
	Parts  []string      // the content types of the parts, in order
}

// Get returns the decoded value of the first header field called name
// (compared case-insensitively), or "".
func (d *Decoded) Get(name string) string {
	for _, f := range d.Header {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Decode reads a message in the form it is sent (CRLF or LF line ends): its
// header fields in order, and its text and HTML parts, decoded from
// quoted-printable or base64. A single-part message gives the part
// matching its content type.
func Decode(raw []byte) (*Decoded, error) {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	head, body, ok := bytes.Cut(raw, []byte("\n\n"))
	if !ok {
		return nil, errors.New("decode message: no blank line after the header")
	}
	d := &Decoded{}
	var dec mime.WordDecoder
	for _, line := range strings.Split(string(head), "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(d.Header) > 0 {
			f := &d.Header[len(d.Header)-1]
			f.Raw += line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("decode message: header line %q has no colon", line)
		}
		d.Header = append(d.Header, HeaderField{Name: name, Raw: strings.TrimSpace(value)})
	}
	for i := range d.Header {
		f := &d.Header[i]
		f.Raw = strings.TrimSpace(f.Raw) // a value may start on a folded line
		v, err := dec.DecodeHeader(f.Raw)
		if err != nil {
			return nil, fmt.Errorf("decode message: header %s: %w", f.Name, err)
		}
		f.Value = v
	}

	mediaType, params, err := mime.ParseMediaType(d.Get("Content-Type"))
	if err != nil {
		return nil, fmt.Errorf("decode message: Content-Type: %w", err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		content, err := decodeBody(bytes.NewReader(body), d.Get("Content-Transfer-Encoding"))
		if err != nil {
			return nil, err
		}
		d.add(mediaType, content)
		return d, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("decode message: %w", err)
		}
		// multipart removes a quoted-printable encoding itself.
		content, err := decodeBody(p, p.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return nil, err
		}
		partType, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		d.add(partType, content)
	}
	return d, nil
}

func (d *Decoded) add(mediaType, content string) {
	d.Parts = append(d.Parts, mediaType)
	switch mediaType {
	case "text/plain":
		d.Text = content
	case "text/html":
		d.HTML = content
	}
}

func decodeBody(r io.Reader, encoding string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r) // it skips line breaks
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("decode message body: %w", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
