package survey

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

//go:embed templates/*.html static/survey.css
var files embed.FS

// pages holds each page parsed together with the base layout.
type pages map[string]*template.Template

// parsePages parses each page, a template file that fills the blocks of
// templates/base.html.
func parsePages() (pages, error) {
	base, err := template.ParseFS(files, "templates/base.html")
	if err != nil {
		return nil, fmt.Errorf("parse survey templates: %w", err)
	}
	p := pages{}
	for _, name := range []string{"form", "thanks", "already", "closed", "notfound", "toolarge", "badform", "error", "stop"} {
		t, err := template.Must(base.Clone()).ParseFS(files, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse survey templates: %w", err)
		}
		p[name] = t
	}
	return p, nil
}

// layout is what every page shows.
type layout struct {
	Organisation string
	Title        string          // the page's heading and the start of its <title>
	Root         string          // the relative path from the page to the site root
	L            *locale.Catalog // the page's own words, in Lang or the nearest language that has them
	Lang         string          // the language of the page: <html lang>
	ContentLang  string          // the questionnaire's language where the page's own words are in another; "" otherwise
	Languages    []languageLink  // the campaign's other languages; none on a page without a campaign
	Query        string          // "?lang=xx": keeps the page's language in its form and links
}

// layout returns the layout of a page for v, in its language (see
// language), with the title of the catalog key title ("" for none).
func (h *Handler) layout(r *http.Request, v view, title string) layout {
	lang, cat := h.language(r, v)
	l := layout{Organisation: h.organisation, Root: rootOf(r.URL.Path), L: cat, Lang: lang,
		Languages: languageLinks(v.camp, lang), Query: langQuery(lang)}
	if _, ok := campaign.MatchLanguage(lang, []string{cat.Lang()}); !ok {
		// Words in one language, the questionnaire in another: the page
		// is in its words' language, and the questionnaire says its own.
		l.Lang, l.ContentLang = cat.Lang(), lang
	}
	if title != "" {
		l.Title = cat.T(title)
	}
	return l
}

// rootOf returns the relative path from a page at path to the site's root:
// "../" for /s/TOKEN. Relative links keep working when a reverse proxy
// serves the site under a path of its own.
func rootOf(path string) string {
	depth := strings.Count(path, "/") - 1
	if depth <= 0 {
		return "./"
	}
	return strings.Repeat("../", depth)
}

// A page is what a page template receives: its layout, and anything
// else.
type page interface{ words() *locale.Catalog }

func (l layout) words() *locale.Catalog { return l.L }

// render writes the page with the status. The page is rendered in full
// before anything is sent, so that a template error gives a clean 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data page) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "base", data); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", name, "error", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintln(w, data.words().T("error.plain"))
		return
	}
	// Set explicitly: a page that starts with <form> is not sniffed as HTML.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// closedPage is the 410 page of a closed campaign.
type closedPage struct {
	layout
	Closed string // when it closed, in words; empty when unknown
}

// closedAt says when the campaign closed, in words of the page's
// language. A campaign closed by someone after c was read has no date on c
// yet: it closed just now.
func (h *Handler) closedAt(c *campaign.Campaign, l layout) string {
	if c == nil {
		return ""
	}
	now := h.now()
	d := c.ClosingDate()
	if d.IsZero() || d.After(now) {
		d = now
	}
	return h.when(d, l)
}

// when writes a moment for people, in the words of the page's language:
// "the end of Friday 18 December 2026" for a midnight (campaigns close at
// the end of the day named), otherwise "14:30 on Friday 18 December 2026".
func (h *Handler) when(t time.Time, l layout) string {
	t = t.In(h.loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return l.L.T("when.end_of", "date", locale.LongDate(t.AddDate(0, 0, -1), l.L.Lang()))
	}
	return l.L.T("when.at", "time", t.Format("15:04"), "date", locale.LongDate(t, l.L.Lang()))
}

// formPage is the survey form.
type formPage struct {
	layout
	Intro           []string // paragraphs
	Closes          string   // when the survey closes, in words; empty when it has no date
	MinGroupSize    int
	MinCommentGroup int
	Problems        []problemView // the summary at the top; empty on a first visit
	Items           []itemView    // in the respondent's own order, without dimensions
	CommentQuestion string        // empty when the survey asks for no comment
	Comment         string
	CommentProblem  string
	MaxComment      int
}

type problemView struct {
	Anchor string // the id of the field concerned; empty for the form as a whole
	Text   string
}

type itemView struct {
	ID, Text string
	Problem  string
	Choices  []choiceView
}

type choiceView struct {
	InputID string
	Value   int
	Label   string
	Checked bool
}

// renderForm shows the campaign's form with the status, in the person's
// language (see language), its statements in the order of the link's
// respondent (statementOrder) and under no dimension or pole: the page
// must not tell which side a statement is on. After a refused submission,
// sub holds what was sent and problems what was wrong: the answers are
// kept and each problem is shown next to its item.
func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v view, sub *submission, problems *campaign.InputError) {
	l := h.layout(r, v, "")
	in := v.camp.Instrument.Translated(l.contentLang())
	l.Title = in.Title
	p := formPage{
		layout:          l,
		MinGroupSize:    v.camp.MinGroupSize,
		MinCommentGroup: campaign.MinCommentGroupSize,
		CommentQuestion: in.Comment,
		MaxComment:      campaign.MaxCommentLength,
	}
	for _, para := range strings.Split(in.Intro, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			p.Intro = append(p.Intro, para)
		}
	}
	if d := v.camp.ClosingDate(); !d.IsZero() {
		p.Closes = h.when(d, l)
	}
	if sub == nil {
		sub = &submission{}
	}
	p.Comment = sub.comment

	byItem := map[string]string{}
	if problems != nil {
		texts := map[string]string{}
		for _, it := range in.Items {
			texts[it.ID] = it.Text
		}
		seen := map[string]bool{}
		for _, pr := range problems.Problems {
			var anchor, text string
			switch statement, ok := texts[pr.Field]; {
			case pr.Field == "comment" && in.Comment != "":
				anchor = "comment"
				p.CommentProblem = l.L.T("problem.comment_long", "count", utf8.RuneCountInString(sub.comment), "max", campaign.MaxCommentLength)
				if !utf8.ValidString(sub.comment) {
					p.CommentProblem = l.L.T("problem.comment_utf8")
				}
				text = l.L.T("problem.about_comment", "problem", p.CommentProblem)
			case ok:
				anchor = "item-" + pr.Field
				byItem[pr.Field] = l.L.T("problem.scale", "n", campaign.ScaleMax)
				text = l.L.T("problem.about_statement", "statement", statement, "problem", byItem[pr.Field])
			case pr.Field == "":
				text = l.L.T("problem.none")
			default:
				// A field the form does not have: no one could fix it there.
				text = l.L.T("problem.unknown_fields")
			}
			if !seen[text] {
				seen[text] = true
				p.Problems = append(p.Problems, problemView{Anchor: anchor, Text: text})
			}
		}
	}

	for _, it := range statementOrder(r.PathValue("token"), in.Items) {
		iv := itemView{ID: it.ID, Text: it.Text, Problem: byItem[it.ID]}
		for v := campaign.ScaleMin; v <= campaign.ScaleMax; v++ {
			iv.Choices = append(iv.Choices, choiceView{
				InputID: fmt.Sprintf("a-%s-%d", it.ID, v),
				Value:   v,
				Label:   l.L.T("scale." + strconv.Itoa(v)),
				Checked: sub.answers[it.ID] == v,
			})
		}
		p.Items = append(p.Items, iv)
	}
	h.render(w, r, status, "form", p)
}

// contentLang returns the language of the questionnaire on the page.
func (l layout) contentLang() string {
	if l.ContentLang != "" {
		return l.ContentLang
	}
	return l.Lang
}
