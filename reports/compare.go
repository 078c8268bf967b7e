package reports

import (
	"encoding/json"
	"fmt"
	"io"
)

// A Comparison is the change in a report since an earlier campaign: per
// dimension, overall, and per group where both reports show the group.
type Comparison struct {
	Campaign   string            `json:"campaign"` // the earlier campaign's slug
	Name       string            `json:"name"`
	Leadership Change            `json:"leadership"`
	Management Change            `json:"management"`
	Balance    Change            `json:"balance"`
	Dimensions []DimensionChange `json:"dimensions"`
	Groups     []GroupChange     `json:"groups"`
	Notes      []string          `json:"notes"`
}

// A Change is a figure now, in the earlier campaign, and the difference.
// Change is nil unless both are known.
type Change struct {
	Now    *float64 `json:"now"`
	Before *float64 `json:"before"`
	Change *float64 `json:"change"`
}

// A DimensionChange is the change in one dimension's scores.
type DimensionChange struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Leadership Change `json:"leadership"`
	Management Change `json:"management"`
	Balance    Change `json:"balance"`
}

// A GroupChange is the change in one group's overall indices.
type GroupChange struct {
	Column     string `json:"column"`
	Value      string `json:"value"`
	Leadership Change `json:"leadership"`
	Management Change `json:"management"`
	Balance    Change `json:"balance"`
}

// CompareWith sets r.Compare to the change since the earlier report. Dimensions
// are matched by id, groups by column and value; a group is compared only
// where both reports show its indices, so the comparison reveals nothing
// that either report withholds.
func (r *Report) CompareWith(earlier *Report) {
	cmp := &Comparison{
		Campaign:   earlier.Campaign,
		Name:       earlier.Name,
		Leadership: change(r.Leadership, earlier.Leadership),
		Management: change(r.Management, earlier.Management),
		Balance:    change(r.Balance, earlier.Balance),
		Dimensions: []DimensionChange{},
		Groups:     []GroupChange{},
		Notes:      []string{},
	}
	before := map[string]Dimension{}
	for _, d := range earlier.Dimensions {
		before[d.ID] = d
	}
	var missing []string
	for _, d := range r.Dimensions {
		b, ok := before[d.ID]
		if !ok {
			missing = append(missing, d.Name)
			continue
		}
		cmp.Dimensions = append(cmp.Dimensions, DimensionChange{
			ID: d.ID, Name: d.Name,
			Leadership: change(d.Leadership, b.Leadership),
			Management: change(d.Management, b.Management),
			Balance:    change(d.Balance, b.Balance),
		})
	}
	if len(missing) > 0 {
		cmp.Notes = append(cmp.Notes, r.w.N("notes.no_counterpart", len(missing), "names", r.w.list(missing), "earlier", earlier.Name))
	}

	type key struct{ column, value string }
	groups := map[key]Group{}
	for _, g := range earlier.Groups {
		groups[key{g.Column, g.Value}] = g
	}
	for _, g := range r.Groups {
		b, ok := groups[key{g.Column, g.Value}]
		if !ok || g.Suppressed || b.Suppressed || g.Leadership == nil && g.Management == nil {
			continue
		}
		cmp.Groups = append(cmp.Groups, GroupChange{
			Column: g.Column, Value: g.Value,
			Leadership: change(g.Leadership, b.Leadership),
			Management: change(g.Management, b.Management),
			Balance:    change(g.Balance, b.Balance),
		})
	}
	switch {
	case !r.Closed || !earlier.Closed:
		cmp.Notes = append(cmp.Notes, r.w.T("notes.groups_when_closed"))
	case len(cmp.Groups) == 0:
		cmp.Notes = append(cmp.Notes, r.w.T("notes.no_group_in_both"))
	}
	r.Compare = cmp
}

func change(now, before *float64) Change {
	c := Change{Now: now, Before: before}
	if now != nil && before != nil {
		c.Change = round(*now-*before, 1)
	}
	return c
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report JSON: %w", err)
	}
	return nil
}
