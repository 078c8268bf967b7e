package campaign

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ValidateAnswers checks a submission against the instrument: every answer
// must be for one of its items and on the scale, the comment no longer than
// MaxCommentLength characters, and at least one statement answered. Items
// may be left unanswered. It returns an *InputError whose problems name the
// item id (or "comment") as the field.
func ValidateAnswers(in *Instrument, answers map[string]int, comment string) error {
	problems := &InputError{Source: "response"}
	known := make(map[string]bool, len(in.Items))
	for _, it := range in.Items {
		known[it.ID] = true
		if v, ok := answers[it.ID]; ok && (v < ScaleMin || v > ScaleMax) {
			problems.Add(0, it.ID, "choose one of the %d answers", ScaleMax)
		}
	}
	for id := range answers {
		if !known[id] {
			problems.Add(0, id, "not a question of this survey")
		}
	}
	if n := utf8.RuneCountInString(comment); n > MaxCommentLength {
		problems.Add(0, "comment", "%d characters is too long: please keep it under %d", n, MaxCommentLength)
	}
	if !utf8.ValidString(comment) {
		problems.Add(0, "comment", "contains text that is not valid UTF-8")
	}
	if len(answers) == 0 && len(problems.Problems) == 0 {
		problems.Add(0, "", "please answer at least one statement")
	}
	return problems.Err()
}

// FindRecipientByToken returns the recipient a survey token belongs to and
// their campaign, or ErrTokenUnknown. Its Responded field says whether the
// token's response is recorded.
func (s *Store) FindRecipientByToken(ctx context.Context, token string) (*Recipient, *Campaign, error) {
	r, err := scanRecipient(s.db.QueryRowContext(ctx, `SELECT `+recipientColumns+`
		FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE r.token_hash = ?`, HashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrTokenUnknown
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find recipient by token: %w", err)
	}
	if !r.Responded {
		if r.Responded, err = isAnswered(ctx, s.db, r.CampaignID, answerMarker(token)); err != nil {
			return nil, nil, fmt.Errorf("find recipient by token: %w", err)
		}
	}
	c, err := s.FindCampaignByID(ctx, r.CampaignID)
	if err != nil {
		return nil, nil, err
	}
	return r, c, nil
}

// rowQueryer is what *sql.DB and *sql.Tx share for reading one row.
type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// isAnswered reports whether the campaign holds the answer marker.
func isAnswered(ctx context.Context, q rowQueryer, campaignID int64, marker []byte) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM answered WHERE campaign_id = ? AND marker = ?`, campaignID, marker).Scan(&n)
	return n > 0, err
}

// RecordResponse records the answers given with a survey token, in one
// transaction that changes no row naming a person: the answers fill an
// empty response slot chosen at random and dated to the day; a marker that
// only the token can make records that the token has answered; the answers
// are added to the sums of each of the recipient's groups (pooled where
// the group is, see GroupSize.Pooled); and a
// comment is stored on its own with the department. Nothing joins the
// response, its groups, its comment and the person.
//
// It returns ErrTokenUnknown for a token no recipient has, ErrCampaignClosed
// once the campaign has closed, ErrTokenUsed when the token's response is
// already recorded (so of two simultaneous submissions exactly one wins),
// and an *InputError from ValidateAnswers for invalid answers. On error
// nothing is stored.
func (s *Store) RecordResponse(ctx context.Context, token string, answers map[string]int, comment string) error {
	return s.RecordResponses(ctx, []Submission{{Token: token, Answers: answers, Comment: comment}})[0]
}

// A Submission is the answers given with one survey token.
type Submission struct {
	Token   string
	Answers map[string]int // item id → 1..5
	Comment string
}

// RecordResponses records several submissions in one transaction (group
// commit: one commit for many people answering at the same moment). Each
// submission is checked and recorded exactly as RecordResponse records it
// alone, in order, so that of two submissions with one token the first wins
// and the second gets ErrTokenUsed. It returns one error per submission, nil
// for those recorded; a refused submission changes nothing and does not
// affect the others. When the transaction itself fails, nothing is stored
// and every submission that would have been recorded gets that error.
func (s *Store) RecordResponses(ctx context.Context, subs []Submission) []error {
	errs := make([]error, len(subs))
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		rec := recorder{tx: tx, random: s.rand, now: now, campaigns: map[int64]*Campaign{},
			pooled: map[groupKey]bool{}, tallies: map[groupKey]*GroupTally{}}
		for i, sub := range subs {
			err := rec.record(ctx, sub.Token, sub.Answers, sub.Comment)
			if err != nil && !isRefusal(err) {
				return err // a database error: roll back the whole batch
			}
			errs[i] = err
		}
		return rec.saveTallies(ctx)
	})
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("record response: %w", err)
			}
		}
	}
	return errs
}

// isRefusal reports whether err refuses one submission for what it is,
// rather than the database failing. recorder.record returns a refusal
// before it writes anything, so the rest of a batch may go on.
func isRefusal(err error) bool {
	var input *InputError
	return errors.Is(err, ErrTokenUnknown) || errors.Is(err, ErrCampaignClosed) ||
		errors.Is(err, ErrTokenUsed) || errors.As(err, &input)
}

// recorder records submissions in one transaction, reading each campaign,
// pooling decision and group tally once and writing each group tally once.
type recorder struct {
	tx        *sql.Tx
	random    io.Reader
	now       time.Time
	campaigns map[int64]*Campaign
	pooled    map[groupKey]bool
	tallies   map[groupKey]*GroupTally // read, then added to
}

type groupKey struct {
	campaignID    int64
	column, value string
}

func (rec *recorder) record(ctx context.Context, token string, answers map[string]int, comment string) error {
	tx := rec.tx
	var campaignID int64
	var answeredBefore bool // answered before markers existed (migration 0002)
	var groupsJSON string
	err := tx.QueryRowContext(ctx, `SELECT campaign_id, responded, groups FROM recipients WHERE token_hash = ?`, HashToken(token)).
		Scan(&campaignID, &answeredBefore, &groupsJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrTokenUnknown
	}
	if err != nil {
		return fmt.Errorf("record response: %w", err)
	}
	c := rec.campaigns[campaignID]
	if c == nil {
		c, err = scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`, campaignID))
		if err != nil {
			return fmt.Errorf("record response: %w", err)
		}
		rec.campaigns[campaignID] = c
	}
	if c.Closed(rec.now) {
		return ErrCampaignClosed
	}
	marker := answerMarker(token)
	answered, err := isAnswered(ctx, tx, c.ID, marker)
	if err != nil {
		return fmt.Errorf("record response: %w", err)
	}
	if answered || answeredBefore {
		return ErrTokenUsed
	}
	if err := ValidateAnswers(&c.Instrument, answers, comment); err != nil {
		return err
	}

	if _, err := tx.ExecContext(ctx, `INSERT INTO answered (campaign_id, marker) VALUES (?, ?)`, c.ID, marker); err != nil {
		return fmt.Errorf("record response: %w", err)
	}
	if err := rec.fillSlot(ctx, c, answers); err != nil {
		return fmt.Errorf("record response: %w", err)
	}

	var groups map[string]string
	if err := json.Unmarshal([]byte(groupsJSON), &groups); err != nil {
		return fmt.Errorf("record response: groups: %w", err)
	}
	one := NewTally(&c.Instrument)
	one.Add(&Response{Answers: answers})
	department := ""
	for col, v := range groups {
		key := groupKey{c.ID, col, v}
		pooled, ok := rec.pooled[key]
		if !ok {
			err := tx.QueryRowContext(ctx, `SELECT pooled FROM campaign_groups WHERE campaign_id = ? AND column = ? AND value = ?`,
				c.ID, col, v).Scan(&pooled)
			if errors.Is(err, sql.ErrNoRows) {
				pooled, err = true, nil // a group nobody was counted in: too small to stand alone
			}
			if err != nil {
				return fmt.Errorf("record response: %w", err)
			}
			rec.pooled[key] = pooled
		}
		if pooled {
			v = PooledGroup
		}
		if col == ColumnDepartment {
			department = v
		}
		tally, err := rec.tally(ctx, c, GroupKey{Column: col, Value: v})
		if err != nil {
			return fmt.Errorf("record response: %w", err)
		}
		tally.Add(one.AsGroup(tally.GroupKey))
	}

	if strings.TrimSpace(comment) == "" {
		return nil
	}
	id := make([]byte, 16)
	if _, err := io.ReadFull(rec.random, id); err != nil {
		return fmt.Errorf("record response: %w", err)
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO comments (id, campaign_id, department, text) VALUES (?, ?, ?, ?)`,
		hex.EncodeToString(id), c.ID, department, comment); err != nil {
		return fmt.Errorf("record response: %w", err)
	}
	return nil
}

// fillSlot writes the answers into an empty response slot of the campaign,
// chosen at random, and keeps the slot's size, so that SQLite overwrites it
// where it lies.
func (rec *recorder) fillSlot(ctx context.Context, c *Campaign, answers map[string]int) error {
	id, err := rec.emptySlot(ctx, c.ID)
	if err != nil {
		return err
	}
	_, err = rec.tx.ExecContext(ctx, `UPDATE response_slots SET submitted_on = ?, answers = ? WHERE id = ?`,
		rec.now.Format(time.DateOnly), encodeAnswers(&c.Instrument, answers), id)
	return err
}

// slotTries is how many slots emptySlot draws before it takes the next
// empty one instead.
const slotTries = 256

// emptySlot draws a slot of the campaign at random (the first from a random
// id on, wrapping around) until it draws an empty one. Which slot a draw
// lands on depends only on the gaps between random ids, never on which
// slots are filled, so the slots fill in an order that has nothing to do
// with where they lie. Taking the next empty slot after a filled one
// instead would fill runs of neighbours one after another. Only when nearly
// every slot is full, and slotTries draws all land on filled ones, does it
// take the next empty slot from a random id.
func (rec *recorder) emptySlot(ctx context.Context, campaignID int64) (int64, error) {
	next := func(from int64, wantEmpty bool) (id int64, date string, err error) {
		cond := ""
		args := []any{campaignID, from}
		if wantEmpty {
			cond = ` AND submitted_on = ?`
			args = append(args, emptySlotDate)
		}
		for _, op := range []string{">=", "<"} { // from on, then from the start
			err = rec.tx.QueryRowContext(ctx, `SELECT id, submitted_on FROM response_slots
				WHERE campaign_id = ? AND id `+op+` ?`+cond+` ORDER BY id LIMIT 1`, args...).Scan(&id, &date)
			if !errors.Is(err, sql.ErrNoRows) {
				break
			}
		}
		if errors.Is(err, sql.ErrNoRows) {
			err = errNoSlot
		}
		return id, date, err
	}
	for try := 0; ; try++ {
		from, err := randomID(rec.random)
		if err != nil {
			return 0, err
		}
		id, date, err := next(from, try >= slotTries)
		if err != nil || date == emptySlotDate {
			return id, err
		}
	}
}

// tally returns the sums of a group of the campaign, read from the store
// the first time.
func (rec *recorder) tally(ctx context.Context, c *Campaign, k GroupKey) (*GroupTally, error) {
	key := groupKey{c.ID, k.Column, k.Value}
	if t, ok := rec.tallies[key]; ok {
		return t, nil
	}
	t := NewTally(&c.Instrument).AsGroup(k)
	var sums []byte
	err := rec.tx.QueryRowContext(ctx, `SELECT tally FROM group_tallies WHERE campaign_id = ? AND column = ? AND value = ?`,
		c.ID, k.Column, k.Value).Scan(&sums)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		var stored GroupTally
		if err := decodeGroupSums(sums, &stored); err != nil {
			return nil, fmt.Errorf("group %s %s: %w", k.Column, k.Value, err)
		}
		t.Add(stored)
	}
	rec.tallies[key] = &t
	return &t, nil
}

// saveTallies writes back every group tally the batch added to.
func (rec *recorder) saveTallies(ctx context.Context) error {
	for key, t := range rec.tallies {
		sums, err := encodeGroupSums(t)
		if err != nil {
			return err
		}
		_, err = rec.tx.ExecContext(ctx, `INSERT INTO group_tallies (campaign_id, column, value, tally) VALUES (?, ?, ?, ?)
			ON CONFLICT (campaign_id, column, value) DO UPDATE SET tally = excluded.tally`,
			key.campaignID, key.column, key.value, string(sums))
		if err != nil {
			return fmt.Errorf("record response: %w", err)
		}
	}
	return nil
}
