package campaign

// The anonymity rules every report applies, whatever its format. They are
// kept here, as pure functions, so that the workbook and the JSON export
// cannot apply them differently.

// MinCommentGroupSize is the number of responses a campaign needs in all
// before its free-text comments are shown, and a department needs before
// its comments carry its name.
const MinCommentGroupSize = 10

// A Visibility says whether a figure may be shown and, if not, why.
type Visibility uint8

// The visibilities of a group or of one of its figures.
const (
	// Shown: enough responses, and nothing hidden can be worked out from it.
	Shown Visibility = iota
	// TooFew: fewer responses (or answers) than the campaign's MinGroupSize.
	TooFew
	// Protecting: enough responses, but hidden so that a smaller hidden group
	// cannot be worked out by subtracting the shown groups from the total.
	Protecting
)

// Hidden reports whether the figure must not be shown.
func (v Visibility) Hidden() bool { return v != Shown }

// SuppressGroups decides which groups of one breakdown column a report may
// show. counts[i] is the number of responses of group i; the result has
// the same order. A group with fewer than minSize responses is TooFew. Then,
// complementary suppression: while the hidden groups together have some
// responses but fewer than minSize (so that subtracting the shown groups
// from the total would give away a small group's figures, or exactly one
// group's), the smallest shown group is hidden too, as Protecting; of equal
// groups, the first. Every column is decided on its own, since a report
// shows no cross-tabulation of two columns.
func SuppressGroups(counts []int, minSize int) []Visibility {
	return suppress(counts, minSize, make([]Visibility, len(counts)))
}

// SuppressCells applies the same rules to one figure of every group of a
// column, such as one dimension's Leadership score: counts[i] is the number
// of responses of group i that the figure rests on, and groups[i] the
// group's own visibility from SuppressGroups. A hidden group's figure stays
// hidden for the same reason; a shown group's figure resting on fewer than
// minSize responses is TooFew; and complementary suppression then hides
// more figures as in SuppressGroups.
func SuppressCells(counts []int, minSize int, groups []Visibility) []Visibility {
	vis := make([]Visibility, len(counts))
	copy(vis, groups)
	return suppress(counts, minSize, vis)
}

func suppress(counts []int, minSize int, vis []Visibility) []Visibility {
	for i, n := range counts {
		if vis[i] == Shown && n < minSize {
			vis[i] = TooFew
		}
	}
	for {
		hidden := 0
		for i, n := range counts {
			if vis[i].Hidden() {
				hidden += n
			}
		}
		// Total minus shown gives the hidden groups' combined figures: harmless
		// when they have no responses or at least minSize together.
		if hidden == 0 || hidden >= minSize {
			return vis
		}
		next := -1
		for i, n := range counts {
			if vis[i] == Shown && (next < 0 || n < counts[next]) {
				next = i
			}
		}
		if next < 0 {
			return vis // everything is hidden already
		}
		vis[next] = Protecting
	}
}

// CommentsShown reports whether the comments of a campaign with the given
// number of responses in all may be shown: for the whole organisation,
// without any group's name.
func CommentsShown(responses int) bool {
	return responses >= MinCommentGroupSize
}

// CommentLabelled reports whether a comment may carry the name of its
// department, which has the given number of responses.
func CommentLabelled(departmentResponses int) bool {
	return departmentResponses >= MinCommentGroupSize
}

// PoolGroupSizes merges the groups that are pooled (see GroupSize.Pooled),
// or that invited fewer than minSize people, into one PooledGroup per
// column, as RecordResponse pools them on the responses, so that a
// report's invited counts match its response counts. The other groups keep
// their order; the pooled groups follow them.
func PoolGroupSizes(sizes []GroupSize, minSize int) []GroupSize {
	var out []GroupSize
	pooled := map[string]*GroupSize{}
	var columns []string
	for _, g := range sizes {
		if g.Pooled || g.Invited < minSize || g.Value == PooledGroup {
			p, seen := pooled[g.Column]
			if !seen {
				p = &GroupSize{Column: g.Column, Value: PooledGroup, Pooled: true}
				pooled[g.Column] = p
				columns = append(columns, g.Column)
			}
			p.Invited += g.Invited
			p.Delivered += g.Delivered
			continue
		}
		out = append(out, g)
	}
	for _, col := range columns {
		out = append(out, *pooled[col])
	}
	return out
}
