package campaign

import (
	"context"
	"encoding/json"
	"fmt"
)

// A Response is one person's anonymous answers. It carries no link to the
// recipient who gave it (no recipient id, email, token or hash), only the
// date it was given, and neither their groups nor their comment: those are
// stored apart, as group sums (FindGroupTallies) and as comments
// (FindComments), so that nothing joins them back together.
type Response struct {
	ID          string         // random; reveals nothing about order
	CampaignID  int64          //
	SubmittedOn string         // the date, "2006-01-02", and nothing finer
	Answers     map[string]int // item id → 1..5; unanswered items are absent
}

// PooledGroup stands for the group of a respondent whose real group invited
// fewer than the campaign's MinGroupSize people.
const PooledGroup = "(smaller groups)"

// ScanResponses calls fn for every response of the campaign, in id order
// (which is random), without holding them all in memory.
func (s *Store) ScanResponses(ctx context.Context, campaignID int64, fn func(*Response) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, submitted_on, answers
		FROM responses WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return fmt.Errorf("read responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := Response{CampaignID: campaignID}
		var answers []byte
		if err := rows.Scan(&r.ID, &r.SubmittedOn, &answers); err != nil {
			return fmt.Errorf("read responses: %w", err)
		}
		if err := json.Unmarshal(answers, &r.Answers); err != nil {
			return fmt.Errorf("read response %s: answers: %w", r.ID, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read responses: %w", err)
	}
	return nil
}

// groupSums is how a GroupTally is stored: its key is in the row. Indices
// is absent from the rows that versions of lvm-mail before it wrote.
type groupSums struct {
	Responses  int              `json:"responses"`
	Dimensions []DimensionTally `json:"dimensions"`
	Indices    *IndexSums       `json:"indices,omitempty"`
}

// encodeGroupSums returns the stored form of g's sums.
func encodeGroupSums(g *GroupTally) ([]byte, error) {
	return json.Marshal(groupSums{Responses: g.Responses, Dimensions: g.Dimensions, Indices: &g.Indices})
}

// decodeGroupSums sets g's sums from their stored form.
func decodeGroupSums(b []byte, g *GroupTally) error {
	var gs groupSums
	if err := json.Unmarshal(b, &gs); err != nil {
		return err
	}
	g.Responses, g.Dimensions, g.Indices = gs.Responses, gs.Dimensions, IndexSums{}
	if gs.Indices != nil {
		g.Indices = *gs.Indices
	}
	return nil
}

// FindGroupTallies returns the summed answers of every breakdown group of
// the campaign that has a response, by column and value.
func (s *Store) FindGroupTallies(ctx context.Context, campaignID int64) ([]GroupTally, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT column, value, tally FROM group_tallies
		WHERE campaign_id = ? ORDER BY column, value`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find group tallies: %w", err)
	}
	defer rows.Close()
	var out []GroupTally
	for rows.Next() {
		var g GroupTally
		var sums []byte
		if err := rows.Scan(&g.Column, &g.Value, &sums); err != nil {
			return nil, fmt.Errorf("find group tallies: %w", err)
		}
		if err := decodeGroupSums(sums, &g); err != nil {
			return nil, fmt.Errorf("find group tallies: %s %s: %w", g.Column, g.Value, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// FindComments returns the campaign's comments, in random order, each with
// the department (pooled when small) it came from.
func (s *Store) FindComments(ctx context.Context, campaignID int64) ([]Comment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT department, text FROM comments
		WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find comments: %w", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.Department, &c.Text); err != nil {
			return nil, fmt.Errorf("find comments: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// A GroupSize is how many people a breakdown group of a campaign invited.
type GroupSize struct {
	Column  string
	Value   string
	Invited int
}

// FindGroupSizes returns the campaign's breakdown groups with the number of
// people each invited, by column and value.
func (s *Store) FindGroupSizes(ctx context.Context, campaignID int64) ([]GroupSize, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT column, value, invited FROM campaign_groups
		WHERE campaign_id = ? ORDER BY column, value`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find group sizes: %w", err)
	}
	defer rows.Close()
	var out []GroupSize
	for rows.Next() {
		var g GroupSize
		if err := rows.Scan(&g.Column, &g.Value, &g.Invited); err != nil {
			return nil, fmt.Errorf("find group sizes: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
