package campaign

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// A Response is one person's anonymous answers. It carries no link to the
// recipient who gave it (no recipient id, email, token or hash), only the
// date it was given, and neither their groups nor their comment: those are
// stored apart, as group sums (FindGroupTallies) and as comments
// (FindComments), so that nothing joins them back together.
type Response struct {
	ID          string         // random; reveals nothing about order
	CampaignID  int64          //
	SubmittedOn string         // the date, "2006-01-02", and nothing finer
	Answers     map[string]int // item id → 1..5; unanswered items are absent
}

// PooledGroup stands for the group of a respondent whose real group invited
// fewer than the campaign's MinGroupSize people.
const PooledGroup = "(smaller groups)"

// Responses live in slots: one per invitee, made empty when the person is
// invited, each with a random id, and filled in place by a response (see
// migrations/0002_history_free.sql). An empty slot has this date and a
// zero byte for every item, so that a filled slot has the very same size.
const emptySlotDate = "0000-00-00"

var errNoSlot = errors.New("campaign: no empty response slot left (more responses than invitees?)")

// encodeAnswers writes answers as one byte per item of the instrument, in
// its order: the answer, or 0 for an item left unanswered.
func encodeAnswers(in *Instrument, answers map[string]int) []byte {
	b := make([]byte, len(in.Items))
	for i, it := range in.Items {
		b[i] = byte(answers[it.ID])
	}
	return b
}

// decodeAnswers reads what encodeAnswers wrote.
func decodeAnswers(in *Instrument, b []byte) (map[string]int, error) {
	if len(b) != len(in.Items) {
		return nil, fmt.Errorf("%d answers for %d items", len(b), len(in.Items))
	}
	out := make(map[string]int, len(b))
	for i, v := range b {
		if v != 0 {
			out[in.Items[i].ID] = int(v)
		}
	}
	return out, nil
}

// randomID returns a random positive 63-bit id.
func randomID(random io.Reader) (int64, error) {
	var b [8]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return 0, fmt.Errorf("make a random id: %w", err)
	}
	return int64(binary.BigEndian.Uint64(b[:]) >> 1), nil
}

// slotMaker makes the empty response slots of a campaign's new invitees.
type slotMaker struct {
	insert *sql.Stmt
	random io.Reader
	empty  []byte
}

func newSlotMaker(ctx context.Context, tx *sql.Tx, random io.Reader, in *Instrument) (*slotMaker, error) {
	insert, err := tx.PrepareContext(ctx, `INSERT INTO response_slots (id, campaign_id, submitted_on, answers) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	return &slotMaker{insert: insert, random: random, empty: make([]byte, len(in.Items))}, nil
}

// make adds one empty slot with a random id, drawing again in the unlikely
// case that the id is taken.
func (m *slotMaker) make(ctx context.Context, campaignID int64) error {
	for {
		id, err := randomID(m.random)
		if err != nil {
			return err
		}
		_, err = m.insert.ExecContext(ctx, id, campaignID, emptySlotDate, m.empty)
		if !isUniqueViolation(err) {
			return err
		}
	}
}

func (m *slotMaker) Close() error { return m.insert.Close() }

// ScanResponses calls fn for every response of the campaign, in id order
// (which is random), without holding them all in memory.
func (s *Store) ScanResponses(ctx context.Context, campaignID int64, fn func(*Response) error) error {
	c, err := s.FindCampaignByID(ctx, campaignID)
	if err != nil {
		return fmt.Errorf("read responses: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, submitted_on, answers
		FROM response_slots WHERE campaign_id = ? AND submitted_on <> ? ORDER BY id`, campaignID, emptySlotDate)
	if err != nil {
		return fmt.Errorf("read responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := Response{CampaignID: campaignID}
		var id int64
		var answers []byte
		if err := rows.Scan(&id, &r.SubmittedOn, &answers); err != nil {
			return fmt.Errorf("read responses: %w", err)
		}
		r.ID = fmt.Sprintf("%016x", id)
		if r.Answers, err = decodeAnswers(&c.Instrument, answers); err != nil {
			return fmt.Errorf("read response %s: %w", r.ID, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read responses: %w", err)
	}
	return nil
}

// groupSums is how a GroupTally is stored: its key is in the row. Indices
// is absent from the rows that versions of lvm-mail before it wrote.
type groupSums struct {
	Responses  int              `json:"responses"`
	Dimensions []DimensionTally `json:"dimensions"`
	Indices    *IndexSums       `json:"indices,omitempty"`
}

// encodeGroupSums returns the stored form of g's sums.
func encodeGroupSums(g *GroupTally) ([]byte, error) {
	return json.Marshal(groupSums{Responses: g.Responses, Dimensions: g.Dimensions, Indices: &g.Indices})
}

// decodeGroupSums sets g's sums from their stored form.
func decodeGroupSums(b []byte, g *GroupTally) error {
	var gs groupSums
	if err := json.Unmarshal(b, &gs); err != nil {
		return err
	}
	g.Responses, g.Dimensions, g.Indices = gs.Responses, gs.Dimensions, IndexSums{}
	if gs.Indices != nil {
		g.Indices = *gs.Indices
	}
	return nil
}

// FindGroupTallies returns the summed answers of every breakdown group of
// the campaign that has a response, by column and value.
func (s *Store) FindGroupTallies(ctx context.Context, campaignID int64) ([]GroupTally, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT column, value, tally FROM group_tallies
		WHERE campaign_id = ? ORDER BY column, value`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find group tallies: %w", err)
	}
	defer rows.Close()
	var out []GroupTally
	for rows.Next() {
		var g GroupTally
		var sums []byte
		if err := rows.Scan(&g.Column, &g.Value, &sums); err != nil {
			return nil, fmt.Errorf("find group tallies: %w", err)
		}
		if err := decodeGroupSums(sums, &g); err != nil {
			return nil, fmt.Errorf("find group tallies: %s %s: %w", g.Column, g.Value, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// FindComments returns the campaign's comments, in random order, each with
// the department (pooled when small) it came from.
func (s *Store) FindComments(ctx context.Context, campaignID int64) ([]Comment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT department, text FROM comments
		WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find comments: %w", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.Department, &c.Text); err != nil {
			return nil, fmt.Errorf("find comments: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// A GroupSize is how many people a breakdown group of a campaign invited.
type GroupSize struct {
	Column  string
	Value   string
	Invited int
	// Delivered is how many of those are still on the roster and were
	// delivered the invitation (it did not bounce): what the group's
	// response rate is out of.
	Delivered int
	// Pooled says that the group's answers are summed into the column's
	// PooledGroup: it invited fewer than the campaign's MinGroupSize people
	// when its first answers could come in.
	Pooled bool
}

// FindGroupSizes returns the campaign's breakdown groups with the number
// of people each invited and, of those, how many are still on the roster
// and were delivered the invitation, by column and value.
func (s *Store) FindGroupSizes(ctx context.Context, campaignID int64) ([]GroupSize, error) {
	delivered := map[GroupKey]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT j.key, j.value, count(*)
		FROM recipients r JOIN staff s ON s.id = r.staff_id, json_each(r.groups) j
		WHERE r.campaign_id = ? AND r.state = 'sent' AND s.active = 1 GROUP BY j.key, j.value`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find group sizes: %w", err)
	}
	for rows.Next() {
		var k GroupKey
		var n int
		if err := rows.Scan(&k.Column, &k.Value, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find group sizes: %w", err)
		}
		delivered[k] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find group sizes: %w", err)
	}

	rows, err = s.db.QueryContext(ctx, `SELECT column, value, invited, pooled FROM campaign_groups
		WHERE campaign_id = ? ORDER BY column, value`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("find group sizes: %w", err)
	}
	defer rows.Close()
	var out []GroupSize
	for rows.Next() {
		var g GroupSize
		if err := rows.Scan(&g.Column, &g.Value, &g.Invited, &g.Pooled); err != nil {
			return nil, fmt.Errorf("find group sizes: %w", err)
		}
		g.Delivered = delivered[GroupKey{g.Column, g.Value}]
		out = append(out, g)
	}
	return out, rows.Err()
}
