package campaign

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
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

// A Recipient is one person invited to one campaign. It knows whether the
// person has responded, never what they answered.
type Recipient struct {
	ID            int64
	CampaignID    int64
	StaffID       int64
	Email         string            // the person's current address on the roster
	Name          string            // the person's current name on the roster
	FirstName     string            // their first name on the roster; empty when it has none
	Groups        map[string]string // breakdown columns when the campaign was created
	TokenSalt     []byte            // with the TokenKey, gives the survey token
	State         DeliveryState
	Attempts      int
	LastReply     string // the SMTP server's last reply
	SentAt        time.Time
	LastMessageAt time.Time
	RemindersSent int
	Responded     bool
}

// Token returns the recipient's survey token under key.
func (r *Recipient) Token(key *TokenKey) string { return key.Token(r.TokenSalt) }

const recipientColumns = `r.id, r.campaign_id, r.staff_id, s.email, s.name, s.first_name, r.groups, r.token_salt, r.state,
	r.attempts, r.last_reply, r.sent_at, r.last_message_at, r.reminders_sent, r.responded`

func scanRecipient(row interface{ Scan(...any) error }) (*Recipient, error) {
	var r Recipient
	var groups string
	var sent, last sql.NullString
	err := row.Scan(&r.ID, &r.CampaignID, &r.StaffID, &r.Email, &r.Name, &r.FirstName, &groups, &r.TokenSalt, &r.State,
		&r.Attempts, &r.LastReply, &sent, &last, &r.RemindersSent, &r.Responded)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(groups), &r.Groups); err != nil {
		return nil, fmt.Errorf("groups of recipient %d: %w", r.ID, err)
	}
	if r.SentAt, err = parseTime(sent); err != nil {
		return nil, err
	}
	if r.LastMessageAt, err = parseTime(last); err != nil {
		return nil, err
	}
	return &r, nil
}

// FindRecipients returns every recipient of the campaign in the order they
// were added.
func (s *Store) FindRecipients(ctx context.Context, campaignID int64) ([]Recipient, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+recipientColumns+`
		FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE r.campaign_id = ? ORDER BY r.id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find recipients: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			return nil, fmt.Errorf("find recipients: %w", err)
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// FindRecipientByEmail returns the campaign's recipient with the given
// address (compared case-insensitively), or ErrRecipientNotFound.
func (s *Store) FindRecipientByEmail(ctx context.Context, campaignID int64, email string) (*Recipient, error) {
	r, err := scanRecipient(s.db.QueryRowContext(ctx, `SELECT `+recipientColumns+`
		FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE r.campaign_id = ? AND s.email = ?`, campaignID, NormalizeEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrRecipientNotFound, NormalizeEmail(email))
	}
	if err != nil {
		return nil, fmt.Errorf("find recipient: %w", err)
	}
	return r, nil
}
