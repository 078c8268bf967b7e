package survey

import (
	"net/http"
	"net/url"

	"golang.org/x/text/language"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// langParam is the query parameter that shows a page in another of the
// campaign's languages: /s/TOKEN?lang=de. It changes the display only;
// nothing records it, and no cookie keeps it.
const langParam = "lang"

// A view is what is known about the person a page is for: their campaign
// and their recipient record, either nil when unknown. It decides the
// page's language.
type view struct {
	camp *campaign.Campaign
	rec  *campaign.Recipient
}

// language returns the language a page is shown in and the catalog of its
// own words. With a campaign: ?lang= when it names one of the campaign's
// languages, else the person's language in the campaign, else the
// campaign's default. Without one: ?lang= when the page speaks it, else
// the browser's preferred language the page speaks (Accept-Language),
// else the server's default. The catalog is that language's, along its
// subtags, else the campaign's or the server's default language's.
func (h *Handler) language(r *http.Request, v view) (string, *locale.Catalog) {
	asked := r.URL.Query().Get(langParam)
	if v.camp != nil {
		in := &v.camp.Instrument
		lang, ok := campaign.MatchLanguage(asked, in.Languages())
		switch {
		case ok:
		case v.rec != nil:
			lang, _ = in.MatchLanguage(v.rec.Language)
		default:
			lang = in.FallbackLanguage()
		}
		return lang, h.catalogs.Pick(lang, in.FallbackLanguage())
	}
	if c, ok := h.catalogs.Match(asked); ok {
		return c.Lang(), c
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	for _, t := range tags {
		if c, ok := h.catalogs.Match(t.String()); ok {
			return c.Lang(), c
		}
	}
	c := h.catalogs.Pick(h.defaultLang, locale.BaseLanguage)
	return c.Lang(), c
}

// A languageLink leads to the page in another of the campaign's
// languages, named in that language.
type languageLink struct {
	Lang, Name, URL string
}

// languageLinks returns links to the campaign's languages other than
// lang, in the campaign's order.
func languageLinks(c *campaign.Campaign, lang string) []languageLink {
	if c == nil {
		return nil
	}
	var out []languageLink
	for _, l := range c.Instrument.Languages() {
		if l != lang {
			out = append(out, languageLink{Lang: l, Name: locale.SelfName(l), URL: langQuery(l)})
		}
	}
	return out
}

// langQuery is the relative URL that keeps a page's path and shows it in
// lang: "?lang=de".
func langQuery(lang string) string {
	return "?" + url.Values{langParam: {lang}}.Encode()
}
