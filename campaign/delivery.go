package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
	// Returned is the number of messages that were claimed but never handed
	// to the SMTP server: they are due again.
	Returned int
	// Unknown is the number of invitations whose SMTP transaction had
	// started: they are now StateUnknown and are resent only when asked.
	Unknown int
	// Reminders is the number of reminders whose SMTP transaction had
	// started. They count as sent: a reminder whose fate is unknown is
	// never resent.
	Reminders int
}

// AcquireSender gives the lease on the campaign's sending to holder for ttl.
// Only one send or remind run holds it at a time. Another run's lease is
// taken over when it has lapsed, or at once when gone (which may be nil)
// says its holder no longer exists, such as a process that died on this
// machine. What that run left in flight is settled: messages it had only
// claimed are due again, invitations whose SMTP transaction had started
// become StateUnknown, and reminders whose transaction had started count as
// sent. The returned Recovery counts them. It returns an error wrapping
// ErrSenderBusy, naming the holder, when another run holds a live lease.
func (s *Store) AcquireSender(ctx context.Context, campaignID int64, holder string, ttl time.Duration, gone func(holder string) bool) (Recovery, error) {
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
		if sender.Valid && sender.String != holder && lapses.After(now) && (gone == nil || !gone(sender.String)) {
			return fmt.Errorf("%w (%s holds it until %s)", ErrSenderBusy, sender.String, lapses.Local().Format("15:04:05"))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET sender = ?, sender_until = ? WHERE id = ?`,
			holder, formatTime(now.Add(ttl)), campaignID); err != nil {
			return err
		}
		for _, step := range []struct {
			count *int
			query string
			args  []any
		}{
			{&rec.Returned, `UPDATE recipients SET state = 'pending' WHERE campaign_id = ? AND state = 'sending' AND started = 0`, nil},
			{&rec.Unknown, `UPDATE recipients SET state = 'unknown', started = 0 WHERE campaign_id = ? AND state = 'sending'`, nil},
			{nil, `UPDATE recipients SET reminding = 0 WHERE campaign_id = ? AND reminding = 1 AND started = 0`, nil},
			{&rec.Reminders, `UPDATE recipients SET reminding = 0, started = 0, reminders_sent = reminders_sent + 1, last_message_at = ?
				WHERE campaign_id = ? AND reminding = 1`, []any{formatTime(now)}},
		} {
			res, err := tx.ExecContext(ctx, step.query, append(step.args, campaignID)...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if step.count != nil {
				*step.count += int(n)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE campaigns SET reminders_delivered = reminders_delivered + ? WHERE id = ?`, rec.Reminders, campaignID)
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

// A Round is what one send or remind run sends, and to whom. A run fixes
// its round when it starts: each recipient gets at most one message from
// it, however long it runs.
type Round struct {
	Kind          MessageKind
	ResendUnknown bool           // invitations: also those whose fate is unknown
	RetryFailed   bool           // invitations: also those the server refused for good
	Reminders     ReminderPolicy // reminders: who is due
	Start         time.Time      // when the run started; zero: the store's clock
}

// due returns the condition, on r (the recipient) and s (the staff
// member), that a recipient is due in the round at start. People who have
// answered are left out by the caller, which needs the key to tell them.
func (rd Round) due(campaignID int64, start time.Time) (string, []any) {
	if rd.Kind == Reminder {
		// A message sent since the round started, such as this round's own
		// reminder, makes a person not due whatever the policy says.
		return `r.campaign_id = ? AND r.responded = 0 AND s.active = 1 AND r.state = 'sent' AND r.reminding = 0
			AND r.opted_out = 0 AND r.reminders_sent < ? AND r.last_message_at <= ? AND r.last_message_at < ?`,
			[]any{campaignID, rd.Reminders.Max, formatTime(start.Add(-rd.Reminders.After)), formatTime(start)}
	}
	states := []any{StatePending}
	if rd.ResendUnknown {
		states = append(states, StateUnknown)
	}
	if rd.RetryFailed {
		states = append(states, StateFailed)
	}
	return `r.campaign_id = ? AND r.responded = 0 AND s.active = 1 AND r.state IN (?` + strings.Repeat(", ?", len(states)-1) + `)`,
		append([]any{campaignID}, states...)
}

// FindDue returns the ids of the recipients the round sends to, in the
// order they were added: for invitations, active staff in StatePending
// (and StateUnknown or StateFailed when the round says so); for reminders,
// active staff sent the invitation, reminded fewer than Max times, whose
// last message is at least After old when the round starts. People who
// have answered are left out: key, which makes their tokens, tells who.
func (s *Store) FindDue(ctx context.Context, campaignID int64, rd Round, key *TokenKey) ([]int64, error) {
	if rd.Start.IsZero() {
		rd.Start = s.now().UTC()
	}
	where, args := rd.due(campaignID, rd.Start)
	var out []int64
	for after := int64(0); ; {
		page, err := notAnswered(ctx, s.db, campaignID, key,
			where+` AND r.id > ? ORDER BY r.id LIMIT ?`, append(slices.Clone(args), after, dueBatch))
		if err != nil {
			return nil, fmt.Errorf("find who is due: %w", err)
		}
		out = append(out, page.ids...)
		if page.read < dueBatch {
			return out, nil
		}
		after = page.last
	}
}

// dueBatch is how many recipients are checked against the answered markers
// at a time.
const dueBatch = 500

type duePage struct {
	ids      []int64 // not answered
	answered []int64
	read     int   // recipients read
	last     int64 // the last id read
}

// notAnswered reads the recipients a condition selects and sorts them by
// whether the campaign holds their answer marker.
func notAnswered(ctx context.Context, q queryer, campaignID int64, key *TokenKey, where string, args []any) (duePage, error) {
	var page duePage
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.token_salt FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE `+where, args...)
	if err != nil {
		return page, err
	}
	byMarker := map[string]int64{}
	var order []int64
	for rows.Next() {
		var id int64
		var salt []byte
		if err := rows.Scan(&id, &salt); err != nil {
			rows.Close()
			return page, err
		}
		byMarker[string(answerMarker(key.Token(salt)))] = id
		order = append(order, id)
		page.read++
		page.last = id
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(order) == 0 {
		return page, err
	}
	markers := make([]any, 0, len(byMarker))
	for m := range byMarker {
		markers = append(markers, []byte(m))
	}
	answered := map[int64]bool{}
	rows, err = q.QueryContext(ctx, `SELECT marker FROM answered WHERE campaign_id = ? AND marker IN (?`+strings.Repeat(", ?", len(markers)-1)+`)`,
		append([]any{campaignID}, markers...)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		var m []byte
		if err := rows.Scan(&m); err != nil {
			return page, err
		}
		answered[byMarker[string(m)]] = true
	}
	for _, id := range order {
		if answered[id] {
			page.answered = append(page.answered, id)
		} else {
			page.ids = append(page.ids, id)
		}
	}
	return page, rows.Err()
}

// Claim marks the recipients of ids that are still due in the round (see
// FindDue) as in flight for holder, in one transaction, and returns them
// in id order with what a message needs (their Groups, SentAt and
// LastMessageAt are left zero). A claimed message is not yet with the SMTP
// server: if the run dies now, the next run finds it due again. Advance
// marks it started, just before its transaction with the server begins. It returns ErrSenderLost unless holder holds the
// campaign's lease.
func (s *Store) Claim(ctx context.Context, campaignID int64, holder string, rd Round, ids []int64, key *TokenKey) ([]Recipient, error) {
	var out []Recipient
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		if err := holds(ctx, tx, campaignID, holder, now); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if rd.Start.IsZero() {
			rd.Start = now
		}
		where, args := rd.due(campaignID, rd.Start)
		page, err := notAnswered(ctx, tx, campaignID, key, where+` AND r.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, append(args, anys(ids)...))
		if err != nil {
			return err
		}
		set := `UPDATE recipients SET state = 'sending', started = 0`
		if rd.Kind == Reminder {
			set = `UPDATE recipients SET reminding = 1, started = 0`
		}
		if err := updateIDs(ctx, tx, set, page.ids); err != nil {
			return err
		}
		out, err = findMessageRecipients(ctx, tx, page.ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim %ss: %w", rd.Kind, err)
	}
	return out, nil
}

// FindMessageRecipients returns the recipients of ids, in id order, with
// what a message needs, as Claim does, without claiming them: for a dry
// run.
func (s *Store) FindMessageRecipients(ctx context.Context, ids []int64) ([]Recipient, error) {
	out, err := findMessageRecipients(ctx, s.db, ids)
	if err != nil {
		return nil, fmt.Errorf("find recipients: %w", err)
	}
	return out, nil
}

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// updateIDs runs the UPDATE set for the recipients of ids.
func updateIDs(ctx context.Context, tx *sql.Tx, set string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, set+` WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, anys(ids)...)
	return err
}

// findMessageRecipients reads the recipients of ids, with only the
// columns a message needs: it runs a thousand times a campaign.
func findMessageRecipients(ctx context.Context, q queryer, ids []int64) ([]Recipient, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.campaign_id, r.staff_id, s.email, s.name, s.first_name, `+staffLanguage+`, r.token_salt, r.state,
		r.attempts, r.last_reply, r.reminders_sent
		FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE r.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY r.id`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Recipient, 0, len(ids))
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.ID, &r.CampaignID, &r.StaffID, &r.Email, &r.Name, &r.FirstName, &r.Language, &r.TokenSalt, &r.State,
			&r.Attempts, &r.LastReply, &r.RemindersSent); err != nil {
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
// reminders; a refused one keeps the server's reply for status; an untried
// one changes nothing but the last reply. The truth is recorded even when
// the lease has been lost meanwhile.
func (s *Store) RecordDeliveries(ctx context.Context, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.Advance(ctx, 0, "", ds, nil)
}

// Advance records, in one transaction, how claimed messages ended (ds, as
// RecordDeliveries records them) and that the SMTP transactions of the
// messages to the recipients of started are about to begin: from then on,
// a run that dies leaves those of unknown fate. A run advances once per
// message it hands over, so what it settles is recorded soon after.
// Starting needs holder's lease on the campaign: without it Advance still
// records ds and returns ErrSenderLost.
func (s *Store) Advance(ctx context.Context, campaignID int64, holder string, ds []Delivery, started []int64) error {
	lost := false
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		if err := settle(ctx, tx, now, ds); err != nil {
			return err
		}
		if len(started) == 0 {
			return nil
		}
		switch err := holds(ctx, tx, campaignID, holder, now); {
		case errors.Is(err, ErrSenderLost):
			lost = true
			return nil // keep what was settled
		case err != nil:
			return err
		}
		return updateIDs(ctx, tx, `UPDATE recipients SET started = 1`, started)
	})
	switch {
	case err != nil:
		return fmt.Errorf("record deliveries: %w", err)
	case lost:
		return fmt.Errorf("start deliveries: %w", ErrSenderLost)
	}
	return nil
}

// settle records how claimed messages ended.
func settle(ctx context.Context, tx *sql.Tx, now time.Time, ds []Delivery) error {
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	reminded := map[int64]int64{} // reminders delivered, by recipient
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
			err = exec(`UPDATE recipients SET state = 'sent', started = 0, attempts = attempts + ?, last_reply = ?, sent_at = ?, last_message_at = ?
				WHERE id = ? AND state IN ('sending', 'unknown')`, d.Attempts, d.Reply, formatTime(at), formatTime(at), d.RecipientID)
		case d.Kind == Invitation && d.Result == Refused:
			err = exec(`UPDATE recipients SET state = 'failed', started = 0, attempts = attempts + ?, last_reply = ?
				WHERE id = ? AND state IN ('sending', 'unknown')`, d.Attempts, d.Reply, d.RecipientID)
		case d.Kind == Invitation && d.Result == Untried:
			err = exec(`UPDATE recipients SET state = 'pending', started = 0, attempts = attempts + ?, last_reply = coalesce(nullif(?, ''), last_reply)
				WHERE id = ? AND state = 'sending'`, d.Attempts, d.Reply, d.RecipientID)
		case d.Kind == Reminder && d.Result == Delivered:
			reminded[d.RecipientID]++
			err = exec(`UPDATE recipients SET reminding = 0, started = 0, reminders_sent = reminders_sent + 1, last_message_at = ?,
				last_reply = ?, reminder_reply = '' WHERE id = ? AND reminding = 1`, formatTime(at), d.Reply, d.RecipientID)
		case d.Kind == Reminder && d.Result == Refused:
			// A refused reminder uses up its round, as a delivered one does.
			err = exec(`UPDATE recipients SET reminding = 0, started = 0, reminders_sent = reminders_sent + 1, last_message_at = ?,
				last_reply = ?, reminder_reply = ? WHERE id = ? AND reminding = 1`, formatTime(at), d.Reply, d.Reply, d.RecipientID)
		case d.Kind == Reminder && d.Result == Untried:
			err = exec(`UPDATE recipients SET reminding = 0, started = 0, last_reply = coalesce(nullif(?, ''), last_reply)
				WHERE id = ? AND reminding = 1`, d.Reply, d.RecipientID)
		default:
			err = fmt.Errorf("delivery of recipient %d: unknown kind %q or result %d", d.RecipientID, d.Kind, d.Result)
		}
		if err != nil {
			return err
		}
	}
	for id, n := range reminded {
		if err := exec(`UPDATE campaigns SET reminders_delivered = reminders_delivered + ?
			WHERE id = (SELECT campaign_id FROM recipients WHERE id = ?)`, n, id); err != nil {
			return err
		}
	}
	return nil
}

// CloseRound ends a reminder round that reminded everyone it could: it
// records the round for the people the round's policy made due who had
// answered, as if they had been reminded (a reminder more, the last
// message at the round's start). So the rows of people look alike whether
// they were reminded or had answered, and the database alone does not say
// who has answered: only the key, which makes their tokens, does. The
// reminders really sent are counted per campaign (Status.Reminded). It
// returns ErrSenderLost unless holder holds the campaign's lease.
func (s *Store) CloseRound(ctx context.Context, campaignID int64, holder string, rd Round, key *TokenKey) error {
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		if err := holds(ctx, tx, campaignID, holder, now); err != nil {
			return err
		}
		where, args := rd.due(campaignID, rd.Start)
		for after := int64(0); ; {
			page, err := notAnswered(ctx, tx, campaignID, key, where+` AND r.id > ? ORDER BY r.id LIMIT ?`, append(slices.Clone(args), after, dueBatch))
			if err != nil {
				return err
			}
			if err := updateIDs(ctx, tx, `UPDATE recipients SET reminders_sent = reminders_sent + 1, last_message_at = '`+formatTime(rd.Start)+`'`,
				page.answered); err != nil {
				return err
			}
			if page.read < dueBatch {
				return nil
			}
			after = page.last
		}
	})
	if err != nil {
		return fmt.Errorf("close the reminder round: %w", err)
	}
	return nil
}
