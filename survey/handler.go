// Package survey serves the survey page: the form a person reaches through
// the private link in their invitation, and the submission that records
// their anonymous response.
//
// GET never changes anything, because mail scanners open links. A POST
// records exactly one response per link; the store guarantees it.
package survey

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// Store is what the handler needs from the campaign store.
type Store interface {
	// FindRecipientByToken returns the recipient of a link and their
	// campaign, or campaign.ErrTokenUnknown.
	FindRecipientByToken(ctx context.Context, token string) (*campaign.Recipient, *campaign.Campaign, error)
	// RecordResponses records submissions in one transaction, each as if
	// alone, and returns one error per submission.
	RecordResponses(ctx context.Context, subs []campaign.Submission) []error
	// DatabaseID returns the id that names the database, for /healthz.
	DatabaseID(ctx context.Context) (string, error)
	// FindOptOut reports whether the person of a link has stopped the
	// reminders, with the link's campaign, or campaign.ErrTokenUnknown.
	FindOptOut(ctx context.Context, token string) (bool, *campaign.Campaign, error)
	// OptOut stops the reminders to the person of a link and returns the
	// link's campaign, or campaign.ErrTokenUnknown.
	OptOut(ctx context.Context, token string) (*campaign.Campaign, error)
}

var _ Store = (*campaign.Store)(nil)

// DefaultMaxBodyBytes is the largest submission accepted when
// Options.MaxBodyBytes is zero. A full form with a comment of
// campaign.MaxCommentLength characters, each percent-encoded, fits.
const DefaultMaxBodyBytes = 64 << 10

// Options are the handler's optional settings.
type Options struct {
	// MaxBodyBytes caps the size of a submitted form; larger ones get 413.
	// Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Location is the time zone of the dates on the page. Nil means
	// time.Local.
	Location *time.Location
	// DefaultLanguage is the language of the pages that belong to no
	// campaign (an unknown link, the thank-you page) when neither the
	// link's ?lang= nor the browser's Accept-Language names one the page
	// speaks. Empty means English.
	DefaultLanguage string
}

// A Handler serves the survey pages. Build it with NewHandler.
type Handler struct {
	store        Store
	organisation string
	now          func() time.Time
	log          *slog.Logger
	maxBody      int64
	loc          *time.Location
	defaultLang  string
	pages        pages
	catalogs     *locale.Catalogs
	commits      *groupCommit
	next         http.Handler
}

// NewHandler returns the survey's http.Handler. It parses the embedded page
// templates and the catalogs of their words once, and returns an error if
// they do not parse.
//
// Its routes:
//
//	GET  /s/{token}          the form, or the page saying the answers are recorded
//	POST /s/{token}          record the answers, then 303 to /thanks
//	GET  /s/{token}/stop     a page with a button that stops the reminders
//	POST /s/{token}/stop     stop the reminders (the button, or RFC 8058 one-click)
//	GET  /thanks             the thank-you page (needs no token)
//	GET  /static/survey.css  the page's style sheet
//	GET  /healthz            {"status": "ok", "database": ID} while it runs
//
// Any other method on /s/{token} or /s/{token}/stop gets 405 with "Allow:
// GET, HEAD, POST"; everything else gets a kind 404 page. A page is in the
// person's language, or in the campaign's language ?lang= names; pages
// that belong to no link are in the browser's language where the survey
// speaks it.
func NewHandler(store Store, organisation string, now func() time.Time, logger *slog.Logger, opts Options) (*Handler, error) {
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	cats, err := parseCatalogs()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		store:        store,
		organisation: organisation,
		now:          now,
		log:          logger,
		maxBody:      opts.MaxBodyBytes,
		loc:          opts.Location,
		defaultLang:  opts.DefaultLanguage,
		pages:        p,
		catalogs:     cats,
		commits:      &groupCommit{record: store.RecordResponses},
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.loc == nil {
		h.loc = time.Local
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{token}", h.showForm)
	mux.HandleFunc("POST /s/{token}", h.submit)
	mux.HandleFunc("/s/{token}", h.methodNotAllowed)
	mux.HandleFunc("GET /s/{token}/stop", h.showStop)
	mux.HandleFunc("POST /s/{token}/stop", h.stop)
	mux.HandleFunc("/s/{token}/stop", h.methodNotAllowed)
	mux.HandleFunc("GET /thanks", h.thanks)
	mux.HandleFunc("GET /static/survey.css", h.stylesheet)
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("/", h.notFound)
	h.next = h.secureHeaders(h.logRequests(h.recoverPanics(mux)))
	return h, nil
}

// ServeHTTP serves one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.next.ServeHTTP(w, r) }

// contentSecurityPolicy allows the page its own style sheet and nothing
// else: no script at all, no framing, forms posted only back to this site.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// secureHeaders sets the headers every response carries, whatever its
// status.
func (h *Handler) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		// The link's token is in the URL: no Referer may carry it anywhere.
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		// A shared computer's cache must not keep someone's form or answers.
		hd.Set("Cache-Control", "no-store")
		if r.TLS != nil {
			// Behind a reverse proxy that terminates HTTPS, the proxy sets it.
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// thanks is where a submission leads. It needs no token, so the token is
// not in the URL the browser shows and keeps in its history last.
func (h *Handler) thanks(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "thanks", h.layout(r, view{}, "title.thanks"))
}

func (h *Handler) stylesheet(w http.ResponseWriter, r *http.Request) {
	css, err := files.ReadFile("static/survey.css")
	if err != nil {
		h.fail(w, r, err, view{}, nil)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(css)
}

// healthz answers while the process serves requests, with the id of the
// database it records into: send checks it, so that its links do not lead
// to a survey on another database.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	id, err := h.store.DatabaseID(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "health check", "error", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Status   string `json:"status"`
		Database string `json:"database"`
	}{"ok", id})
}

// methodNotAllowed answers a survey link asked with a method it does not
// serve (PUT, DELETE, OPTIONS, TRACE, …), whatever the token.
func (h *Handler) methodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", "GET, HEAD, POST")
	http.Error(w, "405 method not allowed: a survey link answers GET, HEAD and POST", http.StatusMethodNotAllowed)
}

// notFound answers every path no route matches with the page an unknown
// link gets.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, campaign.ErrTokenUnknown, view{}, nil)
}
