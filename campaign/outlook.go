package campaign

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// A Participation is how many people of one breakdown group a campaign
// invited and how many of them have answered.
type Participation struct {
	Column    string  `json:"column"`
	Value     string  `json:"value"`
	Invited   int     `json:"invited"`
	Responded int     `json:"responded"`
	Rate      float64 `json:"rate"` // responded / invited
}

// FindParticipation returns the participation of every breakdown group of
// the campaign that invited at least its MinGroupSize people, by column
// and value; smaller groups are counted together as the column's
// PooledGroup, which is left out too when it is still smaller. It shows
// counts only, never answers, so it is safe while the campaign is open.
func (s *Store) FindParticipation(ctx context.Context, c *Campaign) ([]Participation, error) {
	sizes, err := s.FindGroupSizes(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	tallies, err := s.FindGroupTallies(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	responded := map[GroupKey]int{}
	for _, t := range tallies {
		responded[t.GroupKey] = t.Responses
	}
	out := []Participation{}
	for _, g := range PoolGroupSizes(sizes, c.MinGroupSize) {
		if g.Invited < c.MinGroupSize {
			continue
		}
		p := Participation{Column: g.Column, Value: g.Value, Invited: g.Invited, Responded: responded[GroupKey{g.Column, g.Value}]}
		p.Rate = float64(p.Responded) / float64(p.Invited)
		out = append(out, p)
	}
	return out, nil
}

// A ReminderOutlook sorts the people sent the invitation by what the next
// reminder round would do for them.
type ReminderOutlook struct {
	Answered   int        `json:"answered"`    // need no reminder
	OptedOut   int        `json:"opted_out"`   // stopped the reminders
	MaxReached int        `json:"max_reached"` // had max_reminders already
	NotDueYet  int        `json:"not_due_yet"` // emailed less than remind_after ago
	NextDue    *time.Time `json:"next_due"`    // when the first of those becomes due; nil: none
	DueNow     int        `json:"due_now"`
}

// FindReminderOutlook counts, among the active people of the campaign who
// were sent the invitation, who has answered, who stopped the reminders,
// who has had every reminder the policy allows, who was emailed too
// recently (and when the first of those becomes due), and who a reminder
// round would remind now. Telling who has answered needs key.
func (s *Store) FindReminderOutlook(ctx context.Context, c *Campaign, p ReminderPolicy, key *TokenKey) (ReminderOutlook, error) {
	var out ReminderOutlook
	now := s.now().UTC()
	type row struct {
		sent     int
		last     string
		optedOut bool
	}
	where := `r.campaign_id = ? AND s.active = 1 AND r.state = 'sent'`
	for after := int64(0); ; {
		rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.reminders_sent, coalesce(r.last_message_at, ''), r.opted_out
			FROM recipients r JOIN staff s ON s.id = r.staff_id WHERE `+where+` AND r.id > ? ORDER BY r.id LIMIT ?`, c.ID, after, dueBatch)
		if err != nil {
			return out, fmt.Errorf("reminder outlook: %w", err)
		}
		byID := map[int64]row{}
		for rows.Next() {
			var id int64
			var r row
			if err := rows.Scan(&id, &r.sent, &r.last, &r.optedOut); err != nil {
				rows.Close()
				return out, fmt.Errorf("reminder outlook: %w", err)
			}
			byID[id] = r
			after = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, fmt.Errorf("reminder outlook: %w", err)
		}
		if len(byID) == 0 {
			return out, nil
		}
		ids := make([]any, 0, len(byID))
		for id := range byID {
			ids = append(ids, id)
		}
		page, err := notAnswered(ctx, s.db, c.ID, key, where+` AND r.responded = 0 AND r.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`,
			append([]any{c.ID}, ids...))
		if err != nil {
			return out, fmt.Errorf("reminder outlook: %w", err)
		}
		out.Answered += len(byID) - len(page.ids)
		for _, id := range page.ids {
			r := byID[id]
			last, err := time.Parse(time.RFC3339Nano, r.last)
			switch {
			case r.optedOut:
				out.OptedOut++
			case r.sent >= p.Max:
				out.MaxReached++
			case err == nil && last.Add(p.After).After(now):
				out.NotDueYet++
				if next := last.Add(p.After); out.NextDue == nil || next.Before(*out.NextDue) {
					out.NextDue = &next
				}
			default:
				out.DueNow++
			}
		}
		if len(byID) < dueBatch {
			return out, nil
		}
	}
}
