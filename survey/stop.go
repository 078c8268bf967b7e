package survey

import (
	"net/http"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// stopPage is the page of BASE_URL/s/TOKEN/stop.
type stopPage struct {
	layout
	Stopped bool   // the reminders are stopped (now or before)
	Closed  string // when the campaign closed, in words; empty while it is open
	Survey  string // the relative link back to the survey
}

// showStop shows the page that stops the reminders: what the button does,
// and the button. It changes nothing: mail scanners and link previews
// open every link, and only a person's press of the button, or a mail
// client's one-click POST (RFC 8058), may stop the reminders.
func (h *Handler) showStop(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !wellFormed(token) {
		h.fail(w, r, campaign.ErrTokenUnknown, view{}, nil)
		return
	}
	stopped, c, err := h.store.FindOptOut(r.Context(), token)
	if err != nil {
		h.fail(w, r, err, view{}, nil)
		return
	}
	h.renderStop(w, r, c, stopped)
}

// stop stops the reminders to the person of the link, in their campaign,
// and says so. The body is not read: a one-click POST sends
// "List-Unsubscribe=One-Click", a press of the button nothing, and both
// mean the same. Their link still takes their answers.
func (h *Handler) stop(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !wellFormed(token) {
		h.fail(w, r, campaign.ErrTokenUnknown, view{}, nil)
		return
	}
	c, err := h.store.OptOut(r.Context(), token)
	if err != nil {
		h.fail(w, r, err, view{}, nil)
		return
	}
	h.renderStop(w, r, c, true)
}

// renderStop shows the stop page, in the person's language: the opt-out
// lookups return the campaign alone, so the recipient is read for it (a
// read; a failure leaves the campaign's default language).
func (h *Handler) renderStop(w http.ResponseWriter, r *http.Request, c *campaign.Campaign, stopped bool) {
	v := view{camp: c}
	if rec, _, err := h.store.FindRecipientByToken(r.Context(), r.PathValue("token")); err == nil {
		v.rec = rec
	}
	l := h.layout(r, v, "title.stop")
	p := stopPage{layout: l, Stopped: stopped, Survey: rootOf(r.URL.Path) + "s/" + r.PathValue("token") + l.Query}
	if c.Closed(h.now()) {
		p.Closed = h.closedAt(c, l)
	}
	h.render(w, r, http.StatusOK, "stop", p)
}
