package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// commentsByStory are what simulated staff sometimes write, by department
// story. Comments is handed out once each, so the demo's report reads like
// a real organisation's; the case of a comment typed as a formula is in the
// reports tests, not in what a newcomer sees.
var commentsByStory = map[string][]string{
	"manager-run": {
		"Shifts are well planned, but nobody asks us how things could work better.",
		"We get told what to do, rarely why.",
		"The checklists are good. I would like to be trusted to use my judgement now and then.",
		"Targets come down every Monday; ideas never seem to go back up.",
		"My supervisor notices every mistake, and hardly ever what goes well.",
		"Training happens once a year whether we need it or not.",
		"Everything runs on time. It would be nice to know where the bakery is heading.",
		"I know my tasks well, but not how they fit into the rest of the company.",
	},
	"leader-led": {
		"Great team spirit, though deadlines slip more than they should.",
		"I get a lot of freedom; sometimes I'd like clearer priorities.",
		"My manager really listens and helps me grow.",
		"We try new things all the time. Some structure would help us finish them.",
		"I feel trusted, but nobody checks whether the small things get done.",
		"Inspiring leadership, vague plans.",
		"Mistakes are treated as lessons here, which I appreciate.",
		"We share ideas openly; decisions take a long time to land.",
	},
	"leads and manages": {
		"Clear plans and a manager who listens. More of this please.",
		"Busy, but I know what is expected and I feel supported.",
		"Good balance: targets are clear and we get to say how to reach them.",
		"My manager coaches me and still keeps a close eye on the numbers.",
		"The shop runs smoothly and people are friendly. Thank you.",
		"Feedback is regular and fair.",
		"I always know our goals and why they matter.",
		"Well organised, and nobody is afraid to speak up.",
	},
	"neither": {
		"Nobody really seems to be in charge of anything.",
		"We just get on with it; no one plans and no one asks.",
		"Decisions arrive late, if at all.",
		"I rarely see my manager.",
		"It is unclear who to go to when something goes wrong.",
		"We set our own routes because nobody else does.",
		"No targets, no feedback, no direction.",
		"Things work because the team is experienced, not because of management.",
	},
}

// Comments hands out the comments simulated staff write, each at most once.
type Comments struct {
	left map[string][]string // by story, in the order they will be given
}

// NewComments returns the comments of every story, shuffled by r.
func NewComments(r *rand.Rand) *Comments {
	c := &Comments{left: map[string][]string{}}
	for story, cs := range commentsByStory {
		cs = slices.Clone(cs)
		r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
		c.left[story] = cs
	}
	return c
}

// next returns a comment of the story not given before, or "" when its
// comments are all given.
func (c *Comments) next(story string) string {
	cs := c.left[story]
	if len(cs) == 0 {
		return ""
	}
	c.left[story] = cs[1:]
	return cs[0]
}

// Answer returns how a member of dept answers the instrument: around the
// department's means, with a personal tilt shared by the items of a pole
// (so the composites are reliable) and some noise per item. About one
// person in six leaves a comment from comments, while they last.
func Answer(in *campaign.Instrument, dept Department, r *rand.Rand, comments *Comments) (answers map[string]int, comment string) {
	tilt := map[campaign.Pole]float64{
		campaign.Leadership: dept.Leadership + 0.6*r.NormFloat64(),
		campaign.Management: dept.Management + 0.6*r.NormFloat64(),
	}
	answers = make(map[string]int, len(in.Items))
	for _, it := range in.Items {
		if r.Float64() < 0.02 {
			continue // skipped, as real people sometimes do
		}
		v := int(math.Round(tilt[it.Pole] + 0.7*r.NormFloat64()))
		answers[it.ID] = min(campaign.ScaleMax, max(campaign.ScaleMin, v))
	}
	if r.IntN(6) == 0 {
		comment = comments.next(dept.Story)
	}
	return answers, comment
}

// Respond opens a survey link as a browser would and submits the answers:
// GET shows the form, POST records it and redirects to the thank-you page.
func Respond(ctx context.Context, client *http.Client, link string, answers map[string]int, comment string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("open survey: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`<form`)) {
		return fmt.Errorf("open survey: %s", resp.Status)
	}
	form := url.Values{}
	for id, v := range answers {
		form.Set(id, strconv.Itoa(v))
	}
	if comment != "" {
		form.Set("comment", comment)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, link, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	if err != nil {
		return fmt.Errorf("submit survey: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("submit survey: %s", resp.Status)
	}
	return nil
}

// LinkIn finds the survey link (BASE_URL/s/TOKEN) in a message's text.
func LinkIn(text, baseURL string) (string, bool) {
	re := regexp.MustCompile(regexp.QuoteMeta(strings.TrimRight(baseURL, "/")) + `/s/[A-Za-z0-9_-]{22,}`)
	link := re.FindString(text)
	return link, link != ""
}

// TextPart returns the decoded plain-text part of a raw message.
func TextPart(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("read message: %w", err)
	}
	return textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func textPart(contentType, encoding string, body io.Reader) (string, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("read message: %w", err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return "", fmt.Errorf("read message: no text/plain part")
			}
			if err != nil {
				return "", fmt.Errorf("read message: %w", err)
			}
			text, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			if err == nil {
				return text, nil
			}
		}
	}
	if mediaType != "text/plain" {
		return "", fmt.Errorf("read message: %s is not text/plain", mediaType)
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // it skips line breaks
	}
	b, err := io.ReadAll(body)
	return string(b), err
}
