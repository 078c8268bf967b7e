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
	"unicode"
	"unicode/utf8"

	"github.com/lvm-mail/lvm-mail/campaign"
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
	Title        string // the page's heading and the start of its <title>
	Root         string // the relative path from the page to the site root
}

func (h *Handler) layout(r *http.Request, title string) layout {
	return layout{Organisation: h.organisation, Title: title, Root: rootOf(r.URL.Path)}
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

// render writes the page with the status. The page is rendered in full
// before anything is sent, so that a template error gives a clean 500.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "base", data); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", name, "error", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintln(w, "Sorry, something went wrong on our side. Please try again in a few minutes.")
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

// closedAt says when the campaign closed, in words. A campaign closed by
// someone after c was read has no date on c yet: it closed just now.
func (h *Handler) closedAt(c *campaign.Campaign) string {
	if c == nil {
		return ""
	}
	now := h.now()
	d := c.ClosingDate()
	if d.IsZero() || d.After(now) {
		d = now
	}
	return h.when(d)
}

// when writes a moment for people: "the end of Friday 18 December 2026"
// for a midnight (campaigns close at the end of the day named), otherwise
// "14:30 on Friday 18 December 2026".
func (h *Handler) when(t time.Time) string {
	t = t.In(h.loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return "the end of " + t.AddDate(0, 0, -1).Format("Monday 2 January 2006")
	}
	return t.Format("15:04 on Monday 2 January 2006")
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

// renderForm shows the campaign's form with the status, its statements in
// the order of the link's respondent (statementOrder) and under no
// dimension or pole: the page must not tell which side a statement is on.
// After a refused submission, sub holds what was sent and problems what was
// wrong: the answers are kept and each problem is shown next to its item.
func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, c *campaign.Campaign, sub *submission, problems *campaign.InputError) {
	in := &c.Instrument
	p := formPage{
		layout:          h.layout(r, in.Title),
		MinGroupSize:    c.MinGroupSize,
		MinCommentGroup: campaign.MinCommentGroupSize,
		CommentQuestion: in.Comment,
		MaxComment:      campaign.MaxCommentLength,
	}
	for _, para := range strings.Split(in.Intro, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			p.Intro = append(p.Intro, para)
		}
	}
	if d := c.ClosingDate(); !d.IsZero() {
		p.Closes = h.when(d)
	}
	if sub == nil {
		sub = &submission{}
	}
	p.Comment = sub.comment

	byItem := map[string]string{}
	if problems != nil {
		anchors := map[string]string{}
		if in.Comment != "" {
			anchors["comment"] = "comment"
		}
		for _, it := range in.Items {
			anchors[it.ID] = "item-" + it.ID
		}
		seen := map[string]bool{}
		for _, pr := range problems.Problems {
			anchor, ok := anchors[pr.Field]
			text := sentence(pr.Message)
			switch {
			case ok && pr.Field == "comment":
				p.CommentProblem = text
				text = "Your comment: " + pr.Message + "."
			case ok:
				byItem[pr.Field] = text
				text = fieldName(in, pr.Field) + ": " + pr.Message + "."
			case pr.Field != "":
				// A field the form does not have: no one could fix it there.
				text = "Answers to questions this survey does not have were sent. Please answer the questions below."
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
				Label:   campaign.ScaleLabels[v-campaign.ScaleMin],
				Checked: sub.answers[it.ID] == v,
			})
		}
		p.Items = append(p.Items, iv)
	}
	h.render(w, r, status, "form", p)
}

// fieldName names an item in the problem summary by its statement.
func fieldName(in *campaign.Instrument, id string) string {
	for _, it := range in.Items {
		if it.ID == id {
			return "“" + it.Text + "”"
		}
	}
	return id
}

// sentence makes a problem message a sentence: a capital and a full stop.
func sentence(msg string) string {
	if msg == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[size:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
