package survey

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// tokenLength is the length of a survey token: 256 bits in base64url
// without padding.
const tokenLength = 43

// wellFormed reports whether s could be a token at all. Anything else is
// refused with the same 404 as an unknown token, without a database
// lookup.
func wellFormed(s string) bool {
	if len(s) != tokenLength {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// showForm shows the link's form. It changes nothing: mail scanners open
// links before people do.
func (h *Handler) showForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !wellFormed(token) {
		h.fail(w, r, campaign.ErrTokenUnknown, view{}, nil)
		return
	}
	rec, c, err := h.store.FindRecipientByToken(r.Context(), token)
	v := view{camp: c, rec: rec}
	switch {
	case err != nil:
		h.fail(w, r, err, view{}, nil)
	case c.Closed(h.now()):
		h.fail(w, r, campaign.ErrCampaignClosed, v, nil)
	case rec.Responded:
		// Not an error for the person who opens their link again.
		h.render(w, r, http.StatusOK, "already", h.layout(r, v, "title.already"))
	default:
		h.renderForm(w, r, http.StatusOK, v, nil, nil)
	}
}

// submit records the answers sent with the link, then redirects to the
// thank-you page (post/redirect/get), so that reloading it sends nothing
// again.
//
// The store checks the link, the campaign and the answers inside the
// transaction that records them, so a submission needs no lookup first;
// only a refused one is looked up, for the page that explains it.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !wellFormed(token) {
		h.fail(w, r, campaign.ErrTokenUnknown, view{}, nil)
		return
	}
	if r.ContentLength > h.maxBody {
		// Refuse at once, rather than wait for a body that will be
		// refused anyway (or that never comes), and do not read it: the
		// connection closes after the answer.
		w.Header().Set("Connection", "close")
		h.fail(w, r, &http.MaxBytesError{Limit: h.maxBody}, view{}, nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
	sub, err := parseSubmission(r)
	if err != nil {
		h.fail(w, r, err, view{}, nil)
		return
	}
	err = h.commits.submit(r.Context(), campaign.Submission{Token: token, Answers: sub.answers, Comment: sub.comment})
	if err == nil {
		// Relative, so that the token stays out of the thank-you page's URL
		// and a reverse proxy may serve the site under a path of its own;
		// in the language the form was in (its action carries ?lang=).
		w.Header().Set("Location", rootOf(r.URL.Path)+"thanks"+h.layout(r, view{}, "").Query)
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	var input *campaign.InputError
	if !errors.Is(err, campaign.ErrCampaignClosed) && !errors.As(err, &input) {
		h.fail(w, r, err, view{}, nil)
		return
	}
	// The closed page names the closing date and the form is shown again:
	// both need the campaign.
	rec, c, lookupErr := h.store.FindRecipientByToken(r.Context(), token)
	switch {
	case lookupErr != nil:
		err = lookupErr
	case input != nil && sub.fields > formFields(&c.Instrument):
		err = fmt.Errorf("%w: %d fields, the survey has %d", errBadForm, sub.fields, formFields(&c.Instrument))
	}
	h.fail(w, r, err, view{camp: c, rec: rec}, sub)
}

// formFields is the number of fields the survey's form has.
func formFields(in *campaign.Instrument) int {
	if in.Comment != "" {
		return len(in.Items) + 1
	}
	return len(in.Items)
}

// A submission is what a person sent: answers by item id, and the comment.
// An answer that is not exactly one of "1" … "5" is kept as 0, off the
// scale, so that campaign.ValidateAnswers names it.
type submission struct {
	answers map[string]int
	comment string
	fields  int // the number of fields sent
}

// parseSubmission reads the form strictly: form encoded, each field at most
// once, and answers written exactly as the form writes them. Fields that
// are not questions of the survey are kept as answers for the store to
// refuse. It returns an *http.MaxBytesError for a body over the limit and
// errBadForm for a form ours could not have sent.
func parseSubmission(r *http.Request) (*submission, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("%w: content type %q", errBadForm, mt)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errBadForm, err)
	}
	return parseForm(string(body))
}

// parseForm parses a form-encoded body.
func parseForm(body string) (*submission, error) {
	values, err := url.ParseQuery(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadForm, err)
	}
	sub := &submission{answers: make(map[string]int, len(values)), fields: len(values)}
	for name, vs := range values {
		if len(vs) != 1 {
			return nil, fmt.Errorf("%w: a field sent %d times", errBadForm, len(vs))
		}
		if name == "comment" {
			sub.comment = normalizeComment(vs[0])
			continue
		}
		sub.answers[name] = scaleValue(vs[0])
	}
	return sub, nil
}

// scaleValue returns the answer 1..5 written exactly as a digit, and 0 for
// anything else (" 3", "3.0", "03", "6").
func scaleValue(s string) int {
	if len(s) == 1 && '0'+campaign.ScaleMin <= s[0] && s[0] <= '0'+campaign.ScaleMax {
		return int(s[0] - '0')
	}
	return 0
}

// normalizeComment turns the CRLF line breaks browsers send into LF, so
// that a comment counts the characters the person saw in the box (the
// textarea's maxlength counts a line break as one), and trims the spaces
// around it.
func normalizeComment(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
