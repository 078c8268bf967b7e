package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// FindOptOut returns whether the person of a survey token has stopped the
// reminders of their campaign, and the campaign. It changes nothing. It
// returns ErrTokenUnknown for a token no recipient has.
func (s *Store) FindOptOut(ctx context.Context, token string) (bool, *Campaign, error) {
	var campaignID int64
	var optedOut bool
	err := s.db.QueryRowContext(ctx, `SELECT campaign_id, opted_out FROM recipients WHERE token_hash = ?`, HashToken(token)).
		Scan(&campaignID, &optedOut)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil, ErrTokenUnknown
	}
	if err != nil {
		return false, nil, fmt.Errorf("find opt-out: %w", err)
	}
	c, err := s.FindCampaignByID(ctx, campaignID)
	if err != nil {
		return false, nil, err
	}
	return optedOut, c, nil
}

// OptOut stops further reminders to the person of a survey token in their
// campaign (RFC 8058 one-click unsubscribe). It records that and nothing
// else: not when, not from where. The link still takes their answers.
// Opting out twice is the same as once. It returns the campaign, and
// ErrTokenUnknown for a token no recipient has.
func (s *Store) OptOut(ctx context.Context, token string) (*Campaign, error) {
	var campaignID int64
	err := s.db.QueryRowContext(ctx, `UPDATE recipients SET opted_out = 1 WHERE token_hash = ? RETURNING campaign_id`,
		HashToken(token)).Scan(&campaignID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrTokenUnknown
	}
	if err != nil {
		return nil, fmt.Errorf("opt out: %w", err)
	}
	return s.FindCampaignByID(ctx, campaignID)
}
