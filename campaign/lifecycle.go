package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Errors of fixing a campaign while it runs.
var (
	// ErrCampaignSent refuses to delete a campaign that has sent a message.
	ErrCampaignSent = errors.New("campaign: the campaign has sent messages")
	// ErrGroupReportWritten refuses to reopen a campaign whose results by
	// group were written after it closed.
	ErrGroupReportWritten = errors.New("campaign: a report with results by group was written since the campaign closed")
	// ErrCampaignOpen refuses to reopen a campaign that has not closed.
	ErrCampaignOpen = errors.New("campaign: the campaign is open")
)

// inCampaignTx runs fn in a transaction with the campaign as it is in it.
func (s *Store) inCampaignTx(ctx context.Context, id int64, fn func(tx *sql.Tx, c *Campaign, now time.Time) error) error {
	return s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		c, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %d", ErrCampaignNotFound, id)
		}
		if err != nil {
			return err
		}
		return fn(tx, c, now)
	})
}

// AddRecipients invites to an open campaign the active staff who match its
// audience (the conditions it was created with) and are not invited yet,
// such as people who joined since: each gets a recipient with a fresh link
// and an empty response slot, and the next send invites them. The sizes of
// their groups grow, and whether a group is pooled is decided again (see
// GroupSize.Pooled). It returns how many it invited, and ErrCampaignClosed
// for a closed campaign.
func (s *Store) AddRecipients(ctx context.Context, id int64, key *TokenKey) (int, error) {
	if err := s.CheckTokenKey(ctx, key); err != nil {
		return 0, err
	}
	var n int
	err := s.inCampaignTx(ctx, id, func(tx *sql.Tx, c *Campaign, now time.Time) error {
		if c.Closed(now) {
			return ErrCampaignClosed
		}
		count, err := addRecipients(ctx, tx, s.rand, c.ID, &c.Instrument, c.Audience, c.Breakdowns, c.MinGroupSize, key)
		if err != nil {
			return err
		}
		n = count.people
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("add recipients: %w", err)
	}
	return n, nil
}

// ExtendCampaign moves the closing time of an open campaign to closes,
// which must be later than its closing time now. It returns
// ErrCampaignClosed for a closed campaign and an *InputError for a time that
// is not later.
func (s *Store) ExtendCampaign(ctx context.Context, id int64, closes time.Time) error {
	err := s.inCampaignTx(ctx, id, func(tx *sql.Tx, c *Campaign, now time.Time) error {
		if c.Closed(now) {
			return ErrCampaignClosed
		}
		if !closes.After(now) || !c.ClosesAt.IsZero() && !closes.After(c.ClosesAt) {
			return &InputError{Source: "campaign extend", Problems: []Problem{{Field: "closes",
				Message: "must be later than the campaign's closing time now"}}}
		}
		_, err := tx.ExecContext(ctx, `UPDATE campaigns SET closes_at = ? WHERE id = ?`, formatTime(closes), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("extend the campaign: %w", err)
	}
	return nil
}

// MarkGroupReport records that a report with results by group has been
// written for the closed campaign, which keeps it from being reopened.
func (s *Store) MarkGroupReport(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE campaigns SET group_report_at = ? WHERE id = ? AND group_report_at IS NULL`,
		formatTime(s.now()), id)
	if err != nil {
		return fmt.Errorf("record the group report: %w", err)
	}
	return nil
}

// ReopenCampaign opens a closed campaign again: its links take answers and
// reminders may go out. A campaign that closed by its date has no closing
// date afterwards (set one with ExtendCampaign). It returns ErrCampaignOpen
// for an open campaign, and ErrGroupReportWritten when a report with
// results by group was written since it closed: another after more answers
// would let the two be compared, to read what the people who answered in
// between said.
func (s *Store) ReopenCampaign(ctx context.Context, id int64) error {
	err := s.inCampaignTx(ctx, id, func(tx *sql.Tx, c *Campaign, now time.Time) error {
		if !c.Closed(now) {
			return ErrCampaignOpen
		}
		var reported sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT group_report_at FROM campaigns WHERE id = ?`, id).Scan(&reported); err != nil {
			return err
		}
		if reported.Valid {
			return ErrGroupReportWritten
		}
		closes := nullTime(c.ClosesAt)
		if !c.ClosesAt.After(now) {
			closes = sql.NullString{}
		}
		_, err := tx.ExecContext(ctx, `UPDATE campaigns SET closed_at = NULL, closes_at = ? WHERE id = ?`, closes, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("reopen the campaign: %w", err)
	}
	return nil
}

// DeleteCampaign deletes a campaign that has sent nothing, with its
// recipients and everything else it holds. It returns ErrCampaignSent when
// any of its messages was handed to a mail server.
func (s *Store) DeleteCampaign(ctx context.Context, id int64) error {
	err := s.inCampaignTx(ctx, id, func(tx *sql.Tx, c *Campaign, now time.Time) error {
		var sent int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM recipients WHERE campaign_id = ?
			AND (state <> 'pending' OR attempts > 0 OR reminders_sent > 0 OR reminding = 1)`, id).Scan(&sent); err != nil {
			return err
		}
		if sent > 0 {
			return fmt.Errorf("%w (%d people)", ErrCampaignSent, sent)
		}
		for _, q := range []string{
			`DELETE FROM bounces WHERE recipient_id IN (SELECT id FROM recipients WHERE campaign_id = ?)`,
			`DELETE FROM recipients WHERE campaign_id = ?`,
			`DELETE FROM response_slots WHERE campaign_id = ?`,
			`DELETE FROM answered WHERE campaign_id = ?`,
			`DELETE FROM comments WHERE campaign_id = ?`,
			`DELETE FROM group_tallies WHERE campaign_id = ?`,
			`DELETE FROM campaign_groups WHERE campaign_id = ?`,
			`DELETE FROM campaigns WHERE id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete the campaign: %w", err)
	}
	return nil
}

// Errors of correcting an address.
var (
	ErrStaffNotFound = errors.New("campaign: no one on the roster has this address")
	ErrEmailTaken    = errors.New("campaign: someone on the roster already has this address")
)

// SetEmail corrects a person's address from old to new (compared and stored
// normalised). The person keeps their recipient rows, and so their links in
// every campaign. It returns the slugs of the open campaigns in which their
// invitation was refused (StateFailed): send with RetryFailed sends it again
// there. It returns ErrStaffNotFound, ErrEmailTaken, or an *InputError for
// an address that is not one.
func (s *Store) SetEmail(ctx context.Context, old, new string) (failedIn []string, err error) {
	old, new = NormalizeEmail(old), NormalizeEmail(new)
	if err := ValidateEmail(new); err != nil {
		return nil, &InputError{Source: "staff set-email", Problems: []Problem{{Field: "NEW", Message: err.Error()}}}
	}
	err = s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE staff SET email = ?, updated_at = ? WHERE email = ?`, new, formatTime(now), old)
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %s", ErrEmailTaken, new)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(fmt.Errorf("%w: %s", ErrStaffNotFound, old), err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id IN (
			SELECT r.campaign_id FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE s.email = ? AND r.state = 'failed')
			ORDER BY id`, new)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCampaign(rows)
			if err != nil {
				return err
			}
			if !c.Closed(now) {
				failedIn = append(failedIn, c.Slug)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("correct the address %s: %w", old, err)
	}
	return failedIn, nil
}
