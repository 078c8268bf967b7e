package survey

import (
	"errors"
	"net/http"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// errBadForm is a submission our form could not have sent: not form
// encoded, a field twice, or more fields than the survey has.
var errBadForm = errors.New("survey: the form does not match the survey")

// fail answers a request that went wrong with the page and status for err.
// It is the one place that maps errors to statuses:
//
//	campaign.ErrTokenUnknown   404, the same page whatever the token
//	campaign.ErrCampaignClosed 410, with the closing date
//	campaign.ErrTokenUsed      409, "your answers are already recorded"
//	*campaign.InputError       422, the form again with the answers kept
//	*http.MaxBytesError        413
//	errBadForm                 400
//	anything else              500, logged in full
//
// v is what is known of the link: its campaign and recipient, for the
// page's language and the closing date; sub is the submission when there
// is one to show again.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error, v view, sub *submission) {
	var input *campaign.InputError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, campaign.ErrTokenUnknown):
		h.render(w, r, http.StatusNotFound, "notfound", h.layout(r, v, "title.notfound"))
	case errors.Is(err, campaign.ErrCampaignClosed):
		l := h.layout(r, v, "title.closed")
		h.render(w, r, http.StatusGone, "closed", closedPage{layout: l, Closed: h.closedAt(v.camp, l)})
	case errors.Is(err, campaign.ErrTokenUsed):
		// 409, not 200: this submission was not recorded, because another
		// one was. The page still reads as good news, which it is.
		h.render(w, r, http.StatusConflict, "already", h.layout(r, v, "title.already"))
	case errors.As(err, &input) && v.camp != nil && sub != nil:
		h.renderForm(w, r, http.StatusUnprocessableEntity, v, sub, input)
	case errors.As(err, &tooBig):
		h.render(w, r, http.StatusRequestEntityTooLarge, "toolarge", h.layout(r, v, "title.toolarge"))
	case errors.Is(err, errBadForm):
		h.render(w, r, http.StatusBadRequest, "badform", h.layout(r, v, "title.badform"))
	default:
		// Store errors name the operation, never the token or the answers.
		h.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", route(r), "error", err)
		h.render(w, r, http.StatusInternalServerError, "error", h.layout(r, v, "title.error"))
	}
}
