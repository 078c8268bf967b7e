package campaign

import (
	"context"
	"encoding/json"
	"fmt"
)

// A Response is one person's anonymous answers. It carries no link to the
// recipient who gave it: no recipient id, email, token or hash, and only the
// date it was given.
type Response struct {
	ID          string            // random; reveals nothing about order
	CampaignID  int64             //
	SubmittedOn string            // the date, "2006-01-02", and nothing finer
	Groups      map[string]string // breakdown column → group; small groups pooled as PooledGroup
	Answers     map[string]int    // item id → 1..5; unanswered items are absent
	Comment     string            // the optional free text, as typed
}

// PooledGroup stands for the group of a respondent whose real group invited
// fewer than the campaign's MinGroupSize people.
const PooledGroup = "(smaller groups)"

// ScanResponses calls fn for every response of the campaign, in id order
// (which is random), without holding them all in memory.
func (s *Store) ScanResponses(ctx context.Context, campaignID int64, fn func(*Response) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, submitted_on, groups, answers, comment
		FROM responses WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return fmt.Errorf("read responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := Response{CampaignID: campaignID}
		var groups, answers []byte
		if err := rows.Scan(&r.ID, &r.SubmittedOn, &groups, &answers, &r.Comment); err != nil {
			return fmt.Errorf("read responses: %w", err)
		}
		if err := json.Unmarshal(groups, &r.Groups); err != nil {
			return fmt.Errorf("read response %s: groups: %w", r.ID, err)
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
