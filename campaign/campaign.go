package campaign

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A Campaign is one round of the survey sent to a set of staff.
type Campaign struct {
	ID           int64
	Slug         string // from the name: "Q4 Pulse 2026" → "q4-pulse-2026"
	Name         string
	Instrument   Instrument  // the snapshot taken when the campaign was created
	Audience     []Condition // the --where conditions that chose the recipients
	Breakdowns   []string    // the roster columns its report breaks down by, besides the department
	MinGroupSize int         // the anonymity threshold fixed at creation
	CreatedAt    time.Time
	ClosesAt     time.Time // zero: open until closed by hand
	ClosedAt     time.Time // zero: not closed by hand
}

// Closed reports whether the campaign no longer takes responses at now:
// closed by hand, or past its closing date.
func (c *Campaign) Closed(now time.Time) bool {
	return !c.ClosedAt.IsZero() || !c.ClosesAt.IsZero() && !now.Before(c.ClosesAt)
}

// ClosingDate returns when the campaign closed or will close; zero when it
// is open with no closing date.
func (c *Campaign) ClosingDate() time.Time {
	if !c.ClosedAt.IsZero() && (c.ClosesAt.IsZero() || c.ClosedAt.Before(c.ClosesAt)) {
		return c.ClosedAt
	}
	return c.ClosesAt
}

// State names the campaign's state at now: "open" or "closed".
func (c *Campaign) State(now time.Time) string {
	if c.Closed(now) {
		return "closed"
	}
	return "open"
}

// Slug turns a campaign name into its slug: lower-case letters and digits,
// words joined by '-'.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// NewCampaign describes a campaign to create.
type NewCampaign struct {
	Name         string
	Instrument   Instrument
	Where        []Condition // choose active staff; none: every active person
	Breakdowns   []string    // roster columns to break down by besides the department (see NormalizeBreakdowns)
	ClosesAt     time.Time   // zero for none
	MinGroupSize int
}

// CreateCampaign validates the instrument, stores the campaign with a
// snapshot of it, and makes one recipient, with a fresh token, for every
// active person the conditions choose. It returns an *InputError for an
// invalid instrument or name, ErrCampaignExists when the slug is taken,
// ErrUnknownColumn for a condition or a breakdown on a column no one has,
// an *InputError for a breakdown column that names a person or whose values
// are mostly unique, and ErrNoRecipients when no one is chosen. On error
// nothing is stored.
func (s *Store) CreateCampaign(ctx context.Context, nc NewCampaign, key *TokenKey) (*Campaign, error) {
	problems := &InputError{Source: "campaign"}
	slug := Slug(nc.Name)
	if slug == "" {
		problems.Add(0, "name", "%q has no letters or digits to make a slug from", nc.Name)
	}
	if nc.MinGroupSize < MinGroupSizeFloor {
		problems.Add(0, "min_group_size", "%d is below the floor of %d", nc.MinGroupSize, MinGroupSizeFloor)
	}
	if !nc.ClosesAt.IsZero() && !nc.ClosesAt.After(s.now()) {
		problems.Add(0, "closes", "%s is not in the future", nc.ClosesAt.Format(time.DateOnly))
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	breakdowns, err := NormalizeBreakdowns(nc.Breakdowns)
	if err != nil {
		return nil, err
	}
	if err := nc.Instrument.Validate(); err != nil {
		return nil, err
	}
	if err := s.CheckTokenKey(ctx, key); err != nil {
		return nil, err
	}
	instrument, err := json.Marshal(nc.Instrument)
	if err != nil {
		return nil, fmt.Errorf("create campaign: %w", err)
	}
	audience, err := json.Marshal(nonNilConditions(nc.Where))
	if err != nil {
		return nil, fmt.Errorf("create campaign: %w", err)
	}
	breakdownsJSON, err := json.Marshal(breakdowns)
	if err != nil {
		return nil, fmt.Errorf("create campaign: %w", err)
	}

	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (slug, name, instrument, audience, breakdowns, min_group_size, created_at, closes_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			slug, strings.TrimSpace(nc.Name), string(instrument), string(audience), string(breakdownsJSON), nc.MinGroupSize,
			formatTime(now), nullTime(nc.ClosesAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %q", ErrCampaignExists, slug)
		}
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		count, err := addRecipients(ctx, tx, s.rand, id, &nc.Instrument, nc.Where, breakdowns, nc.MinGroupSize, key)
		switch {
		case err != nil:
			return err
		case count.people == 0:
			return ErrNoRecipients
		}
		return count.check()
	})
	if err != nil {
		return nil, fmt.Errorf("create campaign %q: %w", nc.Name, err)
	}
	return s.FindCampaignByID(ctx, id)
}

// MinGroupSizeFloor is the smallest anonymity threshold a campaign accepts.
const MinGroupSizeFloor = 3

// addRecipients invites every active person the conditions choose who is
// not yet a recipient of the campaign: a recipient with a fresh token and
// an empty response slot each, a page of staff at a time. It adds the
// invitees to the sizes of their breakdown groups (the department and the
// breakdown columns) and returns their count by group.
func addRecipients(ctx context.Context, tx *sql.Tx, random io.Reader, campaignID int64, in *Instrument, where []Condition,
	breakdowns []string, minGroupSize int, key *TokenKey) (*groupCount, error) {
	insert, err := tx.PrepareContext(ctx, `INSERT INTO recipients (campaign_id, staff_id, groups, token_salt, token_hash)
		VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer insert.Close()
	slots, err := newSlotMaker(ctx, tx, random, in)
	if err != nil {
		return nil, err
	}
	defer slots.Close()
	count := newGroupCount(breakdowns)
	err = eachStaff(ctx, tx, where, campaignID, func(m *StaffMember) error {
		g, err := json.Marshal(count.add(m))
		if err != nil {
			return err
		}
		salt, err := newSalt(random)
		if err != nil {
			return err
		}
		if _, err := insert.ExecContext(ctx, campaignID, m.ID, string(g), salt, HashToken(key.Token(salt))); err != nil {
			return fmt.Errorf("add recipient %s: %w", m.Email, err)
		}
		return slots.make(ctx, campaignID)
	})
	if err != nil {
		return nil, err
	}
	for g, k := range count.invited {
		if err := countInvited(ctx, tx, campaignID, g.Column, g.Value, k, minGroupSize); err != nil {
			return nil, err
		}
	}
	return count, nil
}

// countInvited adds n invitees to a breakdown group and decides whether its
// answers are pooled: a group that invited fewer than minGroupSize people
// is. A pooled group that has grown stands alone from now on only while no
// answer of its column is in the pool yet: the pool's sums cannot be taken
// apart again.
func countInvited(ctx context.Context, tx *sql.Tx, campaignID int64, column, value string, n, minGroupSize int) error {
	var invited int
	var pooled bool
	err := tx.QueryRowContext(ctx, `SELECT invited, pooled FROM campaign_groups WHERE campaign_id = ? AND column = ? AND value = ?`,
		campaignID, column, value).Scan(&invited, &pooled)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO campaign_groups (campaign_id, column, value, invited, pooled) VALUES (?, ?, ?, ?, ?)`,
			campaignID, column, value, n, n < minGroupSize)
		return err
	}
	if err != nil {
		return err
	}
	invited += n
	if pooled && invited >= minGroupSize {
		var answers int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM group_tallies WHERE campaign_id = ? AND column = ? AND value = ?`,
			campaignID, column, PooledGroup).Scan(&answers)
		if err != nil {
			return err
		}
		pooled = answers > 0
	}
	_, err = tx.ExecContext(ctx, `UPDATE campaign_groups SET invited = ?, pooled = ? WHERE campaign_id = ? AND column = ? AND value = ?`,
		invited, pooled, campaignID, column, value)
	return err
}

func nonNilConditions(c []Condition) []Condition {
	if c == nil {
		return []Condition{}
	}
	return c
}

const campaignColumns = `id, slug, name, instrument, audience, breakdowns, min_group_size, created_at, closes_at, closed_at`

func scanCampaign(row interface{ Scan(...any) error }) (*Campaign, error) {
	var c Campaign
	var instrument, audience, breakdowns string
	var created, closes, closed sql.NullString
	if err := row.Scan(&c.ID, &c.Slug, &c.Name, &instrument, &audience, &breakdowns, &c.MinGroupSize, &created, &closes, &closed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(breakdowns), &c.Breakdowns); err != nil {
		return nil, fmt.Errorf("breakdowns of campaign %d: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(instrument), &c.Instrument); err != nil {
		return nil, fmt.Errorf("instrument of campaign %d: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(audience), &c.Audience); err != nil {
		return nil, fmt.Errorf("audience of campaign %d: %w", c.ID, err)
	}
	var err error
	if c.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if c.ClosesAt, err = parseTime(closes); err != nil {
		return nil, err
	}
	if c.ClosedAt, err = parseTime(closed); err != nil {
		return nil, err
	}
	return &c, nil
}

// FindCampaignByID returns the campaign with the given id, or
// ErrCampaignNotFound.
func (s *Store) FindCampaignByID(ctx context.Context, id int64) (*Campaign, error) {
	c, err := scanCampaign(s.db.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrCampaignNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("find campaign %d: %w", id, err)
	}
	return c, nil
}

// FindCampaign returns the campaign a user named on the command line: by
// slug, by id, or by a name whose slug matches. It returns
// ErrCampaignNotFound when none matches.
func (s *Store) FindCampaign(ctx context.Context, ref string) (*Campaign, error) {
	c, err := scanCampaign(s.db.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE slug = ?`, Slug(ref)))
	if errors.Is(err, sql.ErrNoRows) {
		if id, perr := strconv.ParseInt(strings.TrimSpace(ref), 10, 64); perr == nil {
			return s.FindCampaignByID(ctx, id)
		}
		return nil, fmt.Errorf("%w: %q", ErrCampaignNotFound, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("find campaign %q: %w", ref, err)
	}
	return c, nil
}

// A CampaignSummary is a campaign with its headline counts, as campaign
// list shows it.
type CampaignSummary struct {
	Campaign
	Invited   int
	Responded int
}

// FindCampaigns returns every campaign, newest first, with its counts.
func (s *Store) FindCampaigns(ctx context.Context) ([]CampaignSummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+campaignColumns+`,
		(SELECT count(*) FROM recipients r WHERE r.campaign_id = c.id),
		(SELECT count(*) FROM recipients r WHERE r.campaign_id = c.id AND r.responded = 1) +
		(SELECT count(*) FROM answered a WHERE a.campaign_id = c.id)
		FROM campaigns c ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("find campaigns: %w", err)
	}
	defer rows.Close()
	var out []CampaignSummary
	for rows.Next() {
		var sum CampaignSummary
		c, err := scanCampaign(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &sum.Invited, &sum.Responded)...)
		}))
		if err != nil {
			return nil, fmt.Errorf("find campaigns: %w", err)
		}
		sum.Campaign = *c
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find campaigns: %w", err)
	}
	return out, nil
}

// scanFunc adapts a function to the Scan method scanCampaign reads from.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// CloseCampaign closes the campaign now: its links stop taking responses,
// and reminders stop. Responses are kept. Then it rewrites the database
// file (Compact), so that the comments, the last data written in the order
// people answered, lie in random order. It returns ErrCampaignClosed when
// the campaign was already closed.
func (s *Store) CloseCampaign(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		c, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %d", ErrCampaignNotFound, id)
		}
		if err != nil {
			return err
		}
		if c.Closed(now) {
			return ErrCampaignClosed
		}
		_, err = tx.ExecContext(ctx, `UPDATE campaigns SET closed_at = ? WHERE id = ?`, formatTime(now), id)
		return err
	})
	if err != nil {
		return err
	}
	if err := s.Compact(ctx); err != nil {
		return fmt.Errorf("the campaign is closed, but: %w", err)
	}
	return nil
}
