package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A Bounce is a report, read back from the bounce mailbox, that a message
// lvm-mail sent did not reach its recipient.
type Bounce struct {
	// Report identifies the report itself (its own Message-ID, or a hash of
	// it): the same report is recorded once, however often it is read.
	Report string
	// Message is the message that bounced, from its Message-ID.
	Message MessageRef
	// Permanent is a hard bounce (status 5.x.x): the address does not work.
	// Otherwise (4.x.x) delivery was delayed or failed for a while.
	Permanent  bool
	Status     string // the enhanced status code, e.g. "5.1.1"
	Diagnostic string // the receiving server's words, one line
}

// A BounceResult says what recording a bounce did.
type BounceResult int

// The results of RecordBounce.
const (
	// BounceFailed: a hard bounce; the recipient is now StateFailed.
	BounceFailed BounceResult = iota + 1
	// BounceCounted: a soft bounce, or a hard bounce of a recipient who was
	// not StateSent or StateUnknown (already failed, or sent again since):
	// recorded and counted, the recipient's state unchanged.
	BounceCounted
	// BounceSeen: this report was recorded before; nothing changed.
	BounceSeen
)

// A BounceOutcome is what RecordBounce did, and to whom.
type BounceOutcome struct {
	Result BounceResult
	Email  string // the recipient's address on the roster
}

// RecordBounce records a bounce report once. A hard bounce of a recipient
// whose invitation counts as sent (or unknown) makes them StateFailed, with
// "bounced: STATUS DIAGNOSTIC" as the last reply, so that status shows it
// and the report no longer counts them as delivered. A soft bounce is
// counted and shown, and fails no one. It returns ErrRecipientNotFound when
// the message's campaign or recipient is not in this database.
func (s *Store) RecordBounce(ctx context.Context, b Bounce) (BounceOutcome, error) {
	var out BounceOutcome
	err := s.inTx(ctx, func(tx *sql.Tx, _ time.Time) error {
		var created sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT c.created_at, s.email FROM recipients r JOIN campaigns c ON c.id = r.campaign_id
			JOIN staff s ON s.id = r.staff_id WHERE r.id = ? AND r.campaign_id = ?`,
			b.Message.RecipientID, b.Message.CampaignID).Scan(&created, &out.Email)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrRecipientNotFound
		}
		if err != nil {
			return err
		}
		at, err := parseTime(created)
		if err != nil {
			return err
		}
		if at.Unix() != b.Message.CampaignCreated {
			return ErrRecipientNotFound // a campaign with the same id in another database
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO bounces (report, recipient_id, permanent, status, diagnostic)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (report) DO NOTHING`,
			b.Report, b.Message.RecipientID, b.Permanent, b.Status, b.Diagnostic)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			out.Result = BounceSeen
			return err
		}
		out.Result = BounceCounted
		if !b.Permanent {
			return nil
		}
		res, err = tx.ExecContext(ctx, `UPDATE recipients SET state = ?, last_reply = ? WHERE id = ? AND state IN (?, ?)`,
			StateFailed, "bounced: "+b.Status+" "+b.Diagnostic, b.Message.RecipientID, StateSent, StateUnknown)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 {
			out.Result = BounceFailed
		}
		return err
	})
	if errors.Is(err, ErrRecipientNotFound) {
		return BounceOutcome{}, fmt.Errorf("record bounce: %w: recipient %d of campaign %d", err, b.Message.RecipientID, b.Message.CampaignID)
	}
	if err != nil {
		return BounceOutcome{}, fmt.Errorf("record bounce: %w", err)
	}
	return out, nil
}

// deliverability fills in what status shows of opt-outs and bounces: the
// people who stopped the reminders, the failed who failed by a hard bounce,
// and the people still counted as sent whose messages bounced softly, with
// one diagnostic of each.
func (s *Store) deliverability(ctx context.Context, c *Campaign, st *Status) error {
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM recipients WHERE campaign_id = ?1 AND opted_out = 1),
		(SELECT count(*) FROM recipients r WHERE r.campaign_id = ?1 AND r.state = 'failed'
			AND EXISTS (SELECT 1 FROM bounces b WHERE b.recipient_id = r.id AND b.permanent = 1))`,
		c.ID).Scan(&st.OptedOut, &st.Bounced)
	if err != nil {
		return err
	}
	st.SoftBounces = []Failure{}
	rows, err := s.db.QueryContext(ctx, `SELECT s.email, max(b.status || ' ' || b.diagnostic)
		FROM recipients r JOIN staff s ON s.id = r.staff_id JOIN bounces b ON b.recipient_id = r.id
		WHERE r.campaign_id = ? AND r.state = 'sent' AND b.permanent = 0
		GROUP BY r.id ORDER BY s.email`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f Failure
		if err := rows.Scan(&f.Email, &f.Reply); err != nil {
			return err
		}
		st.SoftBounces = append(st.SoftBounces, f)
	}
	st.SoftBounced = len(st.SoftBounces)
	return rows.Err()
}
