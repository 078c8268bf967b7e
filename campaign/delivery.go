package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of the sender lease.
var (
	// ErrSenderBusy means another send or remind run holds the campaign's
	// lease and has renewed it recently.
	ErrSenderBusy = errors.New("campaign: another send or remind is running for this campaign")
	// ErrSenderLost means a run no longer holds the lease it took: it was
	// not renewed in time and another run has taken it.
	ErrSenderLost = errors.New("campaign: this run no longer holds the campaign's sender lease")
)

// A MessageKind is the kind of email a recipient is sent.
type MessageKind string

// The kinds of message.
const (
	Invitation MessageKind = "invitation"
	Reminder   MessageKind = "reminder"
)

// A Recovery counts what a run found left behind by a run that died while
// holding the lease.
type Recovery struct {
	// Unknown is the number of invitations that were in flight: they are now
	// StateUnknown and are resent only when asked.
	Unknown int
	// Reminders is the number of reminders that were in flight. They count
	// as sent: a reminder whose fate is unknown is never resent.
	Reminders int
}

// AcquireSender gives the lease on the campaign's sending to holder for ttl.
// Only one send or remind run holds it at a time. When the previous holder
// let it lapse without releasing it (the process died), the invitations it
// had in flight become StateUnknown and its reminders in flight count as
// sent; the returned Recovery counts them. It returns an error wrapping
// ErrSenderBusy, naming the holder, when another run holds a live lease.
func (s *Store) AcquireSender(ctx context.Context, campaignID int64, holder string, ttl time.Duration) (Recovery, error) {
	var rec Recovery
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		var sender, until sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT sender, sender_until FROM campaigns WHERE id = ?`, campaignID).Scan(&sender, &until)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %d", ErrCampaignNotFound, campaignID)
		}
		if err != nil {
			return err
		}
		lapses, err := parseTime(until)
		if err != nil {
			return err
		}
		if sender.Valid && sender.String != holder && lapses.After(now) {
			return fmt.Errorf("%w (%s holds it until %s)", ErrSenderBusy, sender.String, lapses.Local().Format("15:04:05"))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET sender = ?, sender_until = ? WHERE id = ?`,
			holder, formatTime(now.Add(ttl)), campaignID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE recipients SET state = ? WHERE campaign_id = ? AND state = ?`,
			StateUnknown, campaignID, StateSending)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		rec.Unknown = int(n)
		res, err = tx.ExecContext(ctx, `UPDATE recipients SET reminding = 0, reminders_sent = reminders_sent + 1, last_message_at = ?
			WHERE campaign_id = ? AND reminding = 1`, formatTime(now), campaignID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		rec.Reminders = int(n)
		return err
	})
	switch {
	case errors.Is(err, ErrSenderBusy):
		return Recovery{}, err
	case err != nil:
		return Recovery{}, fmt.Errorf("take the sender lease: %w", err)
	}
	return rec, nil
}

// RenewSender extends holder's lease on the campaign to ttl from now. It
// returns ErrSenderLost when holder no longer holds it.
func (s *Store) RenewSender(ctx context.Context, campaignID int64, holder string, ttl time.Duration) error {
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET sender_until = ? WHERE id = ? AND sender = ?`,
			formatTime(now.Add(ttl)), campaignID, holder)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(ErrSenderLost, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("renew the sender lease: %w", err)
	}
	return nil
}

// ReleaseSender gives up holder's lease on the campaign. Releasing a lease
// that holder no longer holds does nothing.
func (s *Store) ReleaseSender(ctx context.Context, campaignID int64, holder string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE campaigns SET sender = NULL, sender_until = NULL WHERE id = ? AND sender = ?`,
		campaignID, holder)
	if err != nil {
		return fmt.Errorf("release the sender lease: %w", err)
	}
	return nil
}

// holds reports whether holder has a live lease on the campaign at now.
func holds(ctx context.Context, tx *sql.Tx, campaignID int64, holder string, now time.Time) error {
	var until sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT sender_until FROM campaigns WHERE id = ? AND sender = ?`, campaignID, holder).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrSenderLost
	}
	if err != nil {
		return err
	}
	lapses, err := parseTime(until)
	if err != nil {
		return err
	}
	if !lapses.After(now) {
		return ErrSenderLost
	}
	return nil
}

// A ReminderPolicy says who may be reminded: people sent the invitation who
// have not responded, at most Max times, no sooner than After since the
// previous message.
type ReminderPolicy struct {
	Max   int
	After time.Duration
}

// The recipients a run sends to are active staff who have not responded.
// Invitations go to pending recipients, and to unknown ones when asked.
func invitationsDue(campaignID int64, resendUnknown bool) (string, []any) {
	states := []any{StatePending}
	if resendUnknown {
		states = append(states, StateUnknown)
	}
	where := `r.campaign_id = ? AND r.responded = 0 AND s.active = 1 AND r.state IN (?` + strings.Repeat(", ?", len(states)-1) + `)`
	return where, append([]any{campaignID}, states...)
}

// Reminders go to recipients whose invitation was sent, who have not
// responded, have had fewer than Max reminders, and whose last message is
// at least After old at now, and who have not stopped the reminders.
func remindersDue(campaignID int64, p ReminderPolicy, now time.Time) (string, []any) {
	where := `r.campaign_id = ? AND r.responded = 0 AND s.active = 1 AND r.state = ? AND r.reminding = 0
		AND r.reminders_sent < ? AND r.last_message_at <= ? AND r.opted_out = 0`
	return where, []any{campaignID, StateSent, p.Max, formatTime(now.Add(-p.After))}
}

// FindInvitationsDue returns the recipients an invitation run would send to
// now, in the order they were added: active staff who have not responded,
// in StatePending, and in StateUnknown when resendUnknown is set.
func (s *Store) FindInvitationsDue(ctx context.Context, campaignID int64, resendUnknown bool) ([]Recipient, error) {
	where, args := invitationsDue(campaignID, resendUnknown)
	out, err := findRecipientsWhere(ctx, s.db, where, args, 0)
	if err != nil {
		return nil, fmt.Errorf("find invitations due: %w", err)
	}
	return out, nil
}

// FindRemindersDue returns the recipients a reminder run would send to now
// under the policy, in the order they were added.
func (s *Store) FindRemindersDue(ctx context.Context, campaignID int64, p ReminderPolicy) ([]Recipient, error) {
	where, args := remindersDue(campaignID, p, s.now().UTC())
	out, err := findRecipientsWhere(ctx, s.db, where, args, 0)
	if err != nil {
		return nil, fmt.Errorf("find reminders due: %w", err)
	}
	return out, nil
}

// CountInvitationsDue returns how many recipients FindInvitationsDue would
// return.
func (s *Store) CountInvitationsDue(ctx context.Context, campaignID int64, resendUnknown bool) (int, error) {
	where, args := invitationsDue(campaignID, resendUnknown)
	n, err := countRecipientsWhere(ctx, s.db, where, args)
	if err != nil {
		return 0, fmt.Errorf("count invitations due: %w", err)
	}
	return n, nil
}

// CountRemindersDue returns how many recipients FindRemindersDue would
// return.
func (s *Store) CountRemindersDue(ctx context.Context, campaignID int64, p ReminderPolicy) (int, error) {
	where, args := remindersDue(campaignID, p, s.now().UTC())
	n, err := countRecipientsWhere(ctx, s.db, where, args)
	if err != nil {
		return 0, fmt.Errorf("count reminders due: %w", err)
	}
	return n, nil
}

func countRecipientsWhere(ctx context.Context, db *sql.DB, where string, args []any) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE `+where, args...).Scan(&n)
	return n, err
}

// ClaimInvitations marks up to n of the invitations due (see
// FindInvitationsDue) as StateSending, in one transaction, and returns
// those recipients with what a message needs: their Groups, SentAt and
// LastMessageAt are left zero. A claimed row is in flight: if the process dies before
// RecordDeliveries settles it, the next run finds it StateUnknown. It
// returns ErrSenderLost unless holder holds the campaign's lease.
func (s *Store) ClaimInvitations(ctx context.Context, campaignID int64, holder string, n int, resendUnknown bool) ([]Recipient, error) {
	var out []Recipient
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		if err := holds(ctx, tx, campaignID, holder, now); err != nil {
			return err
		}
		where, args := invitationsDue(campaignID, resendUnknown)
		var err error
		if out, err = claimWhere(ctx, tx, where, args, n); err != nil {
			return err
		}
		return setWhereIDs(ctx, tx, `UPDATE recipients SET state = ?`, []any{StateSending}, out)
	})
	if err != nil {
		return nil, fmt.Errorf("claim invitations: %w", err)
	}
	return out, nil
}

// ClaimReminders marks up to n of the reminders due (see FindRemindersDue)
// as being sent, in one transaction, and returns those recipients, filled
// in as ClaimInvitations does. If the
// process dies before RecordDeliveries settles a claimed reminder, the next
// run counts it as sent. It returns ErrSenderLost unless holder holds the
// campaign's lease.
func (s *Store) ClaimReminders(ctx context.Context, campaignID int64, holder string, n int, p ReminderPolicy) ([]Recipient, error) {
	var out []Recipient
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		if err := holds(ctx, tx, campaignID, holder, now); err != nil {
			return err
		}
		where, args := remindersDue(campaignID, p, now)
		var err error
		if out, err = claimWhere(ctx, tx, where, args, n); err != nil {
			return err
		}
		return setWhereIDs(ctx, tx, `UPDATE recipients SET reminding = 1`, nil, out)
	})
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	return out, nil
}

// setWhereIDs runs the UPDATE set for the recipients rs.
func setWhereIDs(ctx context.Context, tx *sql.Tx, set string, args []any, rs []Recipient) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]any, len(rs))
	for i := range rs {
		ids[i] = rs[i].ID
	}
	_, err := tx.ExecContext(ctx, set+` WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, append(args, ids...)...)
	return err
}

// findRecipientsWhere returns the recipients matching where (on r, the
// recipient, and s, the staff member) in id order; at most limit of them
// unless limit is 0.
func findRecipientsWhere(ctx context.Context, q queryer, where string, args []any, limit int) ([]Recipient, error) {
	query := `SELECT ` + recipientColumns + ` FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE ` + where + ` ORDER BY r.id`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// claimWhere is findRecipientsWhere for a claim, a thousand times a
// campaign: it reads only the columns a message needs.
func claimWhere(ctx context.Context, tx *sql.Tx, where string, args []any, limit int) ([]Recipient, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.campaign_id, r.staff_id, s.email, s.name, r.token_salt, r.state,
		r.attempts, r.last_reply, r.reminders_sent, r.responded
		FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE `+where+` ORDER BY r.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Recipient, 0, limit)
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.ID, &r.CampaignID, &r.StaffID, &r.Email, &r.Name, &r.TokenSalt, &r.State,
			&r.Attempts, &r.LastReply, &r.RemindersSent, &r.Responded); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// A DeliveryResult is how one claimed message ended.
type DeliveryResult int

// The results of a delivery.
const (
	// Delivered: the SMTP server accepted the message (250).
	Delivered DeliveryResult = iota + 1
	// Refused: the server refused it for good (5xx), or the retries of a
	// temporary failure ran out.
	Refused
	// Untried: the run stopped before the message was handed over; it is
	// due again.
	Untried
)

// A Delivery is the outcome of one claimed message, as RecordDeliveries
// stores it.
type Delivery struct {
	RecipientID int64
	Kind        MessageKind
	Result      DeliveryResult
	Reply       string    // the server's last reply, or why there was none
	Attempts    int       // SMTP transactions tried for this message
	At          time.Time // when the server accepted it; zero: the store's clock
}

// RecordDeliveries settles claimed messages in one transaction. A delivered
// invitation becomes StateSent, a refused one StateFailed, an untried one
// StatePending again. A delivered reminder adds one to the recipient's
// reminders; a refused or untried one changes nothing but the last reply.
// The truth is recorded even when the lease has been lost meanwhile.
func (s *Store) RecordDeliveries(ctx context.Context, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		stmts := map[string]*sql.Stmt{}
		defer func() {
			for _, st := range stmts {
				st.Close()
			}
		}()
		exec := func(query string, args ...any) error {
			st, ok := stmts[query]
			if !ok {
				var err error
				if st, err = tx.PrepareContext(ctx, query); err != nil {
					return err
				}
				stmts[query] = st
			}
			_, err := st.ExecContext(ctx, args...)
			return err
		}
		for _, d := range ds {
			at := d.At
			if at.IsZero() {
				at = now
			}
			var err error
			switch {
			case d.Kind == Invitation && d.Result == Delivered:
				err = exec(`UPDATE recipients SET state = 'sent', attempts = attempts + ?, last_reply = ?, sent_at = ?, last_message_at = ?
					WHERE id = ? AND state IN ('sending', 'unknown')`, d.Attempts, d.Reply, formatTime(at), formatTime(at), d.RecipientID)
			case d.Kind == Invitation && d.Result == Refused:
				err = exec(`UPDATE recipients SET state = 'failed', attempts = attempts + ?, last_reply = ?
					WHERE id = ? AND state IN ('sending', 'unknown')`, d.Attempts, d.Reply, d.RecipientID)
			case d.Kind == Invitation && d.Result == Untried:
				err = exec(`UPDATE recipients SET state = 'pending', attempts = attempts + ?, last_reply = coalesce(nullif(?, ''), last_reply)
					WHERE id = ? AND state = 'sending'`, d.Attempts, d.Reply, d.RecipientID)
			case d.Kind == Reminder && d.Result == Delivered:
				err = exec(`UPDATE recipients SET reminding = 0, reminders_sent = reminders_sent + 1, last_message_at = ?, last_reply = ?
					WHERE id = ? AND reminding = 1`, formatTime(at), d.Reply, d.RecipientID)
			case d.Kind == Reminder && (d.Result == Refused || d.Result == Untried):
				err = exec(`UPDATE recipients SET reminding = 0, last_reply = coalesce(nullif(?, ''), last_reply)
					WHERE id = ? AND reminding = 1`, d.Reply, d.RecipientID)
			default:
				err = fmt.Errorf("delivery of recipient %d: unknown kind %q or result %d", d.RecipientID, d.Kind, d.Result)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record deliveries: %w", err)
	}
	return nil
}
