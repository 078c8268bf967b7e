package campaign

import (
	"context"
	"database/sql"
	"fmt"
)

// A DeliveryState is where a recipient's invitation stands.
type DeliveryState string

// The delivery states of an invitation.
const (
	// StatePending: not yet attempted, or a temporary failure to retry.
	StatePending DeliveryState = "pending"
	// StateSending: handed to the SMTP server and not yet acknowledged.
	StateSending DeliveryState = "sending"
	// StateSent: the server accepted the message (250).
	StateSent DeliveryState = "sent"
	// StateFailed: the server refused it for good (5xx), or retries ran out.
	StateFailed DeliveryState = "failed"
	// StateUnknown: the sender died while the message was in flight; it may
	// or may not have been delivered, so it is not resent without asking.
	StateUnknown DeliveryState = "unknown"
)

// Status counts a campaign's recipients by delivery state, as status shows
// them.
type Status struct {
	Campaign  string    `json:"campaign"`
	Invited   int       `json:"invited"`
	Pending   int       `json:"pending"`
	Sending   int       `json:"sending"`
	Sent      int       `json:"sent"`
	Failed    int       `json:"failed"`
	Unknown   int       `json:"unknown"`
	Responded int       `json:"responded"`
	Reminded  int       `json:"reminded"`
	Failures  []Failure `json:"failures"`
}

// A Failure is a recipient whose invitation the SMTP server refused.
type Failure struct {
	Email string `json:"email"`
	Reply string `json:"reply"`
}

// CampaignStatus counts the campaign's recipients. A message in flight
// counts as sending while a sender holds the campaign's lease and as unknown
// once the lease has lapsed.
func (s *Store) CampaignStatus(ctx context.Context, c *Campaign) (Status, error) {
	st := Status{Campaign: c.Slug, Failures: []Failure{}}
	var senderUntil sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT sender_until FROM campaigns WHERE id = ?`, c.ID).Scan(&senderUntil); err != nil {
		return st, fmt.Errorf("status of %s: %w", c.Slug, err)
	}
	until, err := parseTime(senderUntil)
	if err != nil {
		return st, fmt.Errorf("status of %s: %w", c.Slug, err)
	}
	live := until.After(s.now())

	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*), sum(responded), sum(reminders_sent > 0)
		FROM recipients WHERE campaign_id = ? GROUP BY state`, c.ID)
	if err != nil {
		return st, fmt.Errorf("status of %s: %w", c.Slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var state DeliveryState
		var n, responded, reminded int
		if err := rows.Scan(&state, &n, &responded, &reminded); err != nil {
			return st, fmt.Errorf("status of %s: %w", c.Slug, err)
		}
		st.Invited += n
		st.Responded += responded
		st.Reminded += reminded
		switch {
		case state == StatePending:
			st.Pending += n
		case state == StateSending && live:
			st.Sending += n
		case state == StateSending, state == StateUnknown:
			st.Unknown += n
		case state == StateSent:
			st.Sent += n
		case state == StateFailed:
			st.Failed += n
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("status of %s: %w", c.Slug, err)
	}

	rows, err = s.db.QueryContext(ctx, `SELECT s.email, r.last_reply FROM recipients r JOIN staff s ON s.id = r.staff_id
		WHERE r.campaign_id = ? AND r.state = ? ORDER BY s.email`, c.ID, StateFailed)
	if err != nil {
		return st, fmt.Errorf("status of %s: %w", c.Slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Failure
		if err := rows.Scan(&f.Email, &f.Reply); err != nil {
			return st, fmt.Errorf("status of %s: %w", c.Slug, err)
		}
		st.Failures = append(st.Failures, f)
	}
	return st, rows.Err()
}
