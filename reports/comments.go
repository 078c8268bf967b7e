package reports

import (
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// comments keeps the comments of a closed campaign with enough responses in
// all, for the whole organisation; names a comment's department only where
// that department is shown and has enough responses of its own; takes
// the names on the roster, addresses and phone numbers out of the text;
// and shuffles them.
func (r *Report) comments(t *campaign.Tally, names []string, random io.Reader) error {
	all := t.Comments()
	switch {
	case !r.Closed:
		r.Comments.Withheld = len(all)
		if len(all) > 0 {
			r.Comments.Reason = r.w.T("notes.comments_closed")
		}
		return nil
	case !campaign.CommentsShown(r.Responded):
		r.Comments.Withheld = len(all)
		if len(all) > 0 {
			r.Comments.Reason = r.w.T("notes.comments_few", "min", campaign.MinCommentGroupSize)
			r.Notes = append(r.Notes, r.w.N("notes.comments_withheld", len(all), "min", campaign.MinCommentGroupSize, "responded", r.Responded))
		}
		return nil
	}
	named := map[string]bool{}
	for _, g := range r.Groups {
		if g.Column == campaign.ColumnDepartment && !g.Suppressed && g.Value != campaign.PooledGroup &&
			campaign.CommentLabelled(*g.Responded) {
			named[g.Value] = true
		}
	}
	var scrub *Scrubber
	if len(all) > 0 {
		scrub = NewScrubber(names)
	}
	for _, cm := range all {
		label := ""
		if named[cm.Department] {
			label = cm.Department
		}
		r.Comments.List = append(r.Comments.List, Comment{Text: cleanText(scrub.Scrub(cm.Text)), Department: label})
	}
	r.Comments.Shown = len(r.Comments.List)
	var seed [32]byte
	if _, err := io.ReadFull(random, seed[:]); err != nil {
		return fmt.Errorf("shuffle comments: %w", err)
	}
	rng := mrand.New(mrand.NewChaCha8(seed))
	rng.Shuffle(len(r.Comments.List), func(i, j int) {
		r.Comments.List[i], r.Comments.List[j] = r.Comments.List[j], r.Comments.List[i]
	})
	return nil
}

// cleanText drops control characters other than tabs and line breaks,
// which have no place in a cell and which some spreadsheet programs refuse.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || r == 0xfffe || r == 0xffff {
			return -1
		}
		return r
	}, s)
}
