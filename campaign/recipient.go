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
	Reminded  int       `json:"reminded"` // reminders delivered in all
	Failures  []Failure `json:"failures"`
	// Delivered counts the invitations the mail server accepted, and that
	// did not bounce, for people still on the roster: what a response rate
	// is out of.
	Delivered int `json:"delivered"`

	OptedOut    int       `json:"opted_out"`    // stopped the reminders (one-click opt-out)
	Bounced     int       `json:"bounced"`      // of the failed: a hard bounce came back after the server's 250
	SoftBounced int       `json:"soft_bounced"` // still counted as sent, but a soft bounce came back
	SoftBounces []Failure `json:"soft_bounces"` // who, with a bounce's status and diagnostic
}

// A Failure is a recipient whose invitation or reminder the SMTP server
// refused.
type Failure struct {
	Email string      `json:"email"`
	Reply string      `json:"reply"`
	Kind  MessageKind `json:"kind"`
}

// CampaignStatus counts the campaign's recipients. A message in flight
// counts as sending while a sender holds the campaign's lease; once the
// lease has lapsed, a message whose SMTP transaction had started counts as
// unknown and one that was only claimed as pending, as the next run will
// find them.
func (s *Store) CampaignStatus(ctx context.Context, c *Campaign) (Status, error) {
	st := Status{Campaign: c.Slug, Failures: []Failure{}}
	fail := func(err error) (Status, error) { return st, fmt.Errorf("status of %s: %w", c.Slug, err) }
	var senderUntil sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT sender_until, reminders_delivered FROM campaigns WHERE id = ?`, c.ID).
		Scan(&senderUntil, &st.Reminded); err != nil {
		return fail(err)
	}
	until, err := parseTime(senderUntil)
	if err != nil {
		return fail(err)
	}
	live := until.After(s.now())

	rows, err := s.db.QueryContext(ctx, `SELECT r.state, r.started, count(*), sum(r.responded), sum(s.active)
		FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE r.campaign_id = ? GROUP BY r.state, r.started`, c.ID)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var state DeliveryState
		var started bool
		var n, responded, active int
		if err := rows.Scan(&state, &started, &n, &responded, &active); err != nil {
			return fail(err)
		}
		st.Invited += n
		st.Responded += responded // answered before answer markers existed
		switch {
		case state == StatePending, state == StateSending && !live && !started:
			st.Pending += n
		case state == StateSending && live:
			st.Sending += n
		case state == StateSending, state == StateUnknown:
			st.Unknown += n
		case state == StateSent:
			st.Sent += n
			st.Delivered += active
		case state == StateFailed:
			st.Failed += n
		}
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	answered, err := s.countAnswered(ctx, c.ID)
	if err != nil {
		return fail(err)
	}
	st.Responded += answered

	rows, err = s.db.QueryContext(ctx, `SELECT s.email, r.last_reply, 'invitation' FROM recipients r JOIN staff s ON s.id = r.staff_id
		WHERE r.campaign_id = ? AND r.state = 'failed'
		UNION ALL
		SELECT s.email, r.reminder_reply, 'reminder' FROM recipients r JOIN staff s ON s.id = r.staff_id
		WHERE r.campaign_id = ? AND r.reminder_reply <> ''
		ORDER BY 1, 3`, c.ID, c.ID)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Failure
		if err := rows.Scan(&f.Email, &f.Reply, &f.Kind); err != nil {
			return fail(err)
		}
		st.Failures = append(st.Failures, f)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	if err := s.deliverability(ctx, c, &st); err != nil {
		return fail(err)
	}
	return st, nil
}

// countAnswered returns how many answer markers the campaign holds.
func (s *Store) countAnswered(ctx context.Context, campaignID int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM answered WHERE campaign_id = ?`, campaignID).Scan(&n)
	return n, err
}

// A Recipient is one person invited to one campaign. It never knows what
// they answered.
type Recipient struct {
	ID            int64
	CampaignID    int64
	StaffID       int64
	Email         string            // the person's current address on the roster
	Name          string            // the person's current name on the roster
	FirstName     string            // their first name on the roster; empty when it has none
	Language      string            // the person's current language tag on the roster; "" for none (see Instrument.MatchLanguage)
	Groups        map[string]string // breakdown columns when the campaign was created
	TokenSalt     []byte            // with the TokenKey, gives the survey token
	State         DeliveryState
	Attempts      int
	LastReply     string // the SMTP server's last reply
	SentAt        time.Time
	LastMessageAt time.Time
	RemindersSent int
	// Responded says whether the person has answered. Only whoever holds
	// the token can tell: it is filled in by FindRecipientByToken, and is
	// otherwise true only for answers recorded before answer markers
	// existed.
	Responded bool
}

// Token returns the recipient's survey token under key.
func (r *Recipient) Token(key *TokenKey) string { return key.Token(r.TokenSalt) }

const recipientColumns = `r.id, r.campaign_id, r.staff_id, s.email, s.name, s.first_name, ` + staffLanguage + `, r.groups, r.token_salt, r.state,
	r.attempts, r.last_reply, r.sent_at, r.last_message_at, r.reminders_sent, r.responded`

func scanRecipient(row interface{ Scan(...any) error }) (*Recipient, error) {
	var r Recipient
	var groups string
	var sent, last sql.NullString
	err := row.Scan(&r.ID, &r.CampaignID, &r.StaffID, &r.Email, &r.Name, &r.FirstName, &r.Language, &groups, &r.TokenSalt, &r.State,
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
