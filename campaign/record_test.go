package campaign_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// tokens returns the survey token of every recipient, by email.
func tokens(t *testing.T, s *campaign.Store, c *campaign.Campaign) map[string]string {
	t.Helper()
	rs, err := s.FindRecipients(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		out[r.Email] = r.Token(testKey(t))
	}
	return out
}

func TestRecordResponse(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := createCampaign(t, s, "Pulse") // min group size 3: Sales 3, Support 2, Finance 1; Leeds 3, York 3
	tok := tokens(t, s, c)

	answers := map[string]int{"focus-l": 4, "focus-m": 2, "trust-l": 5}
	if err := s.RecordResponse(ctx, tok["dan@example.com"], answers, "=HYPERLINK(\"x\")"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordResponse(ctx, tok["dan@example.com"], answers, ""); !errors.Is(err, campaign.ErrTokenUsed) {
		t.Errorf("second response: got %v, want ErrTokenUsed", err)
	}
	if err := s.RecordResponse(ctx, "not-a-token", answers, ""); !errors.Is(err, campaign.ErrTokenUnknown) {
		t.Errorf("unknown token: got %v, want ErrTokenUnknown", err)
	}
	if err := s.RecordResponse(ctx, tok["ann@example.com"], map[string]int{"focus-l": 6}, ""); !isInput(err, "focus-l") {
		t.Errorf("answer off the scale: got %v, want an *InputError naming focus-l", err)
	}

	var got []campaign.Response
	err := s.ScanResponses(ctx, c.ID, func(r *campaign.Response) error {
		got = append(got, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d responses, want 1", len(got))
	}
	r := got[0]
	if r.Answers["focus-l"] != 4 || len(r.Answers) != 3 {
		t.Errorf("got %+v", r)
	}

	// Dan's groups got his answers added to their sums: Support invited 2 < 3
	// and is pooled; Leeds invited 3 and is kept.
	groups, err := s.FindGroupTallies(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, g := range groups {
		keys = append(keys, g.Column+"="+g.Value)
		focus := g.Dimensions[0]
		if g.Responses != 1 || focus.Leadership.Sum != 4 || focus.Management.Sum != 2 || g.Dimensions[1].Leadership.Sum != 5 {
			t.Errorf("group %s: got %+v, want Dan's answers", g.Value, g)
		}
	}
	if want := "department=" + campaign.PooledGroup + " location=Leeds"; strings.Join(keys, " ") != want {
		t.Errorf("got groups %v, want %s", keys, want)
	}
	comments, err := s.FindComments(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) != 1 || comments[0].Text != "=HYPERLINK(\"x\")" || comments[0].Department != campaign.PooledGroup {
		t.Errorf("got comments %+v, want Dan's, from the pooled department", comments)
	}
	if r.SubmittedOn != "2026-11-02" || len(r.ID) != 16 {
		t.Errorf("got date %q id %q; want the date only and a 63-bit random id", r.SubmittedOn, r.ID)
	}
	st, err := s.CampaignStatus(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if st.Responded != 1 {
		t.Errorf("got %d responded, want 1", st.Responded)
	}

	if err := s.CloseCampaign(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordResponse(ctx, tok["ann@example.com"], answers, ""); !errors.Is(err, campaign.ErrCampaignClosed) {
		t.Errorf("after close: got %v, want ErrCampaignClosed", err)
	}
}

func isInput(err error, field string) bool {
	var ie *campaign.InputError
	return errors.As(err, &ie) && len(ie.Problems) > 0 && ie.Problems[0].Field == field
}

func TestValidateAnswers(t *testing.T) {
	in := smallInstrument()
	tests := []struct {
		name    string
		answers map[string]int
		comment string
		field   string // "" for valid
	}{
		{"OK", map[string]int{"focus-l": 1, "trust-m": 5}, "fine", ""},
		{"OnlySome", map[string]int{"trust-m": 3}, "", ""},
		{"Low", map[string]int{"focus-l": 0}, "", "focus-l"},
		{"High", map[string]int{"focus-m": 6}, "", "focus-m"},
		{"UnknownItem", map[string]int{"nope": 3}, "", "nope"},
		{"Empty", map[string]int{}, "", ""},
		{"LongComment", map[string]int{"focus-l": 3}, strings.Repeat("é", campaign.MaxCommentLength+1), "comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := campaign.ValidateAnswers(&in, tt.answers, tt.comment)
			switch {
			case tt.name == "Empty":
				if err == nil {
					t.Error("an empty submission must be refused")
				}
			case tt.field == "":
				if err != nil {
					t.Errorf("got %v, want valid", err)
				}
			case !isInput(err, tt.field):
				t.Errorf("got %v, want a problem with %s", err, tt.field)
			}
		})
	}
}

func TestRecordResponseOnceUnderRace(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := createCampaign(t, s, "Pulse")
	tok := tokens(t, s, c)["ann@example.com"]

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.RecordResponse(ctx, tok, map[string]int{"focus-l": 3}, "")
		}()
	}
	wg.Wait()
	close(errs)
	var ok, used int
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, campaign.ErrTokenUsed):
			used++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || used != 19 {
		t.Errorf("got %d recorded and %d refused, want 1 and 19", ok, used)
	}
	n := 0
	s.ScanResponses(ctx, c.ID, func(*campaign.Response) error { n++; return nil })
	if n != 1 {
		t.Errorf("got %d responses stored, want 1", n)
	}
}

// TestResponsesAreAnonymous inspects the schema and the rows: no column of
// responses can join them to a recipient, and no token is stored in clear.
func TestResponsesAreAnonymous(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStoreAt(t, dir+"/a.db")
	c := createCampaign(t, s, "Pulse")
	toks := tokens(t, s, c)
	for _, tok := range toks {
		if err := s.RecordResponse(ctx, tok, map[string]int{"focus-l": 3}, "ok"); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	db, err := sql.Open("sqlite3", "file:"+dir+"/a.db?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"response_slots", "answered", "group_tallies", "comments"} {
		rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var col string
			rows.Scan(&col)
			n++
			for _, bad := range []string{"recipient", "staff", "email", "token", "hash", "created", "_at", "time"} {
				if strings.Contains(col, bad) {
					t.Errorf("%s.%s could link a response to a person or a moment", table, col)
				}
			}
		}
		rows.Close()
		if n == 0 {
			t.Errorf("no table %s", table)
		}
	}
	for _, table := range []string{"answered", "group_tallies", "comments"} {
		var withoutRowid int
		db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = ? AND sql LIKE '%WITHOUT ROWID%'`, table).Scan(&withoutRowid)
		if withoutRowid != 1 {
			t.Errorf("%s must be WITHOUT ROWID so that no rowid records the order of insertion", table)
		}
	}
	// Response slots have random ids: one per invitee, none in sequence.
	var slots, small int
	db.QueryRow(`SELECT count(*), sum(id < 1000000) FROM response_slots`).Scan(&slots, &small)
	if slots != len(toks) || small != 0 {
		t.Errorf("got %d slots, %d with small ids; want %d, all random", slots, small, len(toks))
	}
	// Answering changed no row that names a person.
	var flagged int
	db.QueryRow(`SELECT count(*) FROM recipients WHERE responded <> 0`).Scan(&flagged)
	if flagged != 0 {
		t.Errorf("%d recipient rows were marked as having answered; the database alone must not say who answered", flagged)
	}
	// Groups keep sums: one row a group, not a row a person that could be
	// crossed with the rows of another column. Sales, Support and Finance
	// (pooled), Leeds and York: 4 groups for 6 responses.
	var groupRows int
	db.QueryRow(`SELECT count(*) FROM group_tallies`).Scan(&groupRows)
	if groupRows != 4 {
		t.Errorf("got %d group rows for 6 responses, want one row for each of the 4 groups", groupRows)
	}

	// No token appears anywhere in the database file's tables.
	tables, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, table := range names {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for i, v := range vals {
				var text string
				switch v := v.(type) {
				case string:
					text = v
				case []byte:
					text = string(v)
				}
				for _, tok := range toks {
					if strings.Contains(text, tok) {
						t.Errorf("%s.%s holds a token in clear", table, cols[i])
					}
				}
			}
		}
		rows.Close()
	}
}

// TestRecordResponses records a batch in one transaction: each submission
// is checked as if alone, a refused one does not stop the others, and of
// two with one token the first wins.
func TestRecordResponses(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c := createCampaign(t, s, "Pulse")
	tok := tokens(t, s, c)

	errs := s.RecordResponses(ctx, []campaign.Submission{
		{Token: tok["ann@example.com"], Answers: map[string]int{"focus-l": 4}},
		{Token: tok["bob@example.com"], Answers: map[string]int{"focus-l": 9}},
		{Token: "not-a-token", Answers: map[string]int{"focus-l": 3}},
		{Token: tok["ann@example.com"], Answers: map[string]int{"focus-l": 1}},
		{Token: tok["cat@example.com"], Answers: map[string]int{"trust-m": 2}, Comment: "fine"},
	})
	want := []func(error) bool{
		func(err error) bool { return err == nil },
		func(err error) bool { return isInput(err, "focus-l") },
		func(err error) bool { return errors.Is(err, campaign.ErrTokenUnknown) },
		func(err error) bool { return errors.Is(err, campaign.ErrTokenUsed) },
		func(err error) bool { return err == nil },
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d results, want %d", len(errs), len(want))
	}
	for i, ok := range want {
		if !ok(errs[i]) {
			t.Errorf("submission %d: got %v", i, errs[i])
		}
	}
	var answers []int
	s.ScanResponses(ctx, c.ID, func(r *campaign.Response) error {
		answers = append(answers, r.Answers["focus-l"]+r.Answers["trust-m"])
		return nil
	})
	sort.Ints(answers)
	if fmt.Sprint(answers) != "[2 4]" {
		t.Errorf("got responses %v, want ann's 4 and cat's 2", answers)
	}
	st, err := s.CampaignStatus(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if st.Responded != 2 {
		t.Errorf("got %d responded, want 2", st.Responded)
	}

	// A failed transaction stores nothing and fails every submission that
	// would have been recorded.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	errs = s.RecordResponses(cancelled, []campaign.Submission{{Token: tok["dan@example.com"], Answers: map[string]int{"focus-l": 3}}})
	if !errors.Is(errs[0], context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", errs[0])
	}
	if r, _, err := s.FindRecipientByToken(ctx, tok["dan@example.com"]); err != nil || r.Responded {
		t.Errorf("a failed transaction recorded something (%v)", err)
	}
}
