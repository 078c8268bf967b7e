package campaign_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/internal/sqlitefile"
)

// seeded is a deterministic source of randomness for the store, so that
// these measurements give the same numbers on every run.
type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func newSeeded(seed uint64) seeded {
	var k [32]byte
	binary.LittleEndian.PutUint64(k[:], seed)
	return seeded{rand.NewChaCha8(k)}
}

// spearman returns Spearman's rank correlation of two permutations of
// 0..n-1: 1 − 6·Σd² / (n·(n²−1)).
func spearman(a, b []int) float64 {
	n := float64(len(a))
	var d2 float64
	for i := range a {
		d := float64(a[i] - b[i])
		d2 += d * d
	}
	return 1 - 6*d2/(n*(n*n-1))
}

// ranks returns the rank of each value of xs (0 for the smallest).
func ranks(xs []int64) []int {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return int(xs[a] - xs[b]) })
	out := make([]int, len(xs))
	for r, i := range idx {
		out[i] = r
	}
	return out
}

// answersOf returns the distinct answers respondent i gives: i written in
// base 5 over the four statements.
func answersOf(i int) map[string]int {
	out := map[string]int{}
	for j, it := range smallInstrument().Items {
		out[it.ID] = 1 + (i/int(math.Pow(5, float64(j))))%5
	}
	return out
}

// respondentOf finds which respondent a stored value holds, reading the
// answers in any of the forms a store could keep them: JSON, or one byte
// per statement. It returns -1 for anything else.
func respondentOf(v any, n int) int {
	var got map[string]int
	switch v := v.(type) {
	case string:
		if json.Unmarshal([]byte(v), &got) != nil {
			return -1
		}
	case []byte:
		items := smallInstrument().Items
		if len(v) != len(items) {
			return -1
		}
		got = map[string]int{}
		for j, b := range v {
			got[items[j].ID] = int(b)
		}
	default:
		return -1
	}
	for i := range n {
		if fmt.Sprint(answersOf(i)) == fmt.Sprint(got) {
			return i
		}
	}
	return -1
}

// TestNoOrderOfAnsweringAfterClose records 20 responses with comments, one
// at a time, in each of 8 campaigns, and reads the database file page by
// page: where each response lies must not follow the order in which they
// were given, while the campaign is open and once it is closed; nor, once
// it is closed, where each comment lies. One
// campaign's Spearman ρ can reach |ρ| ≥ 0.3 by chance about one time in
// five, so the mean |ρ| over the 8 is judged; the seeds make it the same on
// every run.
func TestNoOrderOfAnsweringAfterClose(t *testing.T) {
	const campaigns, respondents = 8, 20
	var sumOpen, sumResponses, sumComments float64
	for seed := range uint64(campaigns) {
		path := filepath.Join(t.TempDir(), "order.db")
		ctx := context.Background()
		now := testNow
		s, err := campaign.Open(ctx, path, campaign.Options{Now: func() time.Time { return now }, Rand: newSeeded(seed)})
		if err != nil {
			t.Fatal(err)
		}
		var staff []campaign.StaffMember
		for i := range respondents {
			staff = append(staff, campaign.StaffMember{Email: fmt.Sprintf("p%02d@example.com", i), Name: fmt.Sprintf("P %02d", i),
				Department: "Sales", Active: true})
		}
		if _, err := s.ImportStaff(ctx, staff, campaign.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Order", Instrument: smallInstrument(), MinGroupSize: 5}, testKey(t))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := s.FindRecipients(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			now = now.Add(time.Minute)
			if err := s.RecordResponse(ctx, r.Token(testKey(t)), answersOf(i), fmt.Sprintf("comment of respondent %02d", i)); err != nil {
				t.Fatal(err)
			}
		}
		// While the campaign runs, the responses already lie in no order;
		// the comments do until the campaign closes.
		open, _ := positions(t, path, respondents)
		if err := s.CloseCampaign(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		s.Close()
		responses, comments := positions(t, path, respondents)
		order := make([]int, respondents)
		for i := range order {
			order[i] = i
		}
		rhoOpen, rhoR, rhoC := spearman(ranks(open), order), spearman(ranks(responses), order), spearman(ranks(comments), order)
		t.Logf("campaign %d: Spearman ρ of position and order of answering: responses %+.2f (open) %+.2f (closed), comments %+.2f (closed)",
			seed, rhoOpen, rhoR, rhoC)
		sumOpen += math.Abs(rhoOpen)
		sumResponses += math.Abs(rhoR)
		sumComments += math.Abs(rhoC)
	}
	for what, sum := range map[string]float64{"responses while open": sumOpen, "responses": sumResponses, "comments": sumComments} {
		if mean := sum / campaigns; mean >= 0.3 {
			t.Errorf("%s: mean |ρ| over %d campaigns is %.2f: where they lie follows the order of answering (want < 0.3)", what, campaigns, mean)
		}
	}
}

// positions reads the database file page by page and returns where the
// answers and the comment of each respondent lie (their offsets in the
// file), found by their content.
func positions(t *testing.T, path string, respondents int) (responses, comments []int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := sqlitefile.ParseDatabase(b)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := img.Schema()
	if err != nil {
		t.Fatal(err)
	}
	responses, comments = make([]int64, respondents), make([]int64, respondents)
	var foundR, foundC int
	for _, tb := range schema {
		if tb.Type != "table" {
			continue
		}
		rows, err := img.Rows(tb.Root)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, v := range r.Values {
				if i := respondentOf(v, respondents); i >= 0 {
					responses[i] = r.FileOffset(img.PageSize)
					foundR++
				}
				if text, ok := v.(string); ok && strings.HasPrefix(text, "comment of respondent ") {
					var i int
					fmt.Sscanf(text, "comment of respondent %d", &i)
					comments[i] = r.FileOffset(img.PageSize)
					foundC++
				}
			}
		}
	}
	if foundR != respondents || foundC != respondents {
		t.Fatalf("found %d responses and %d comments in the file, want %d each", foundR, foundC, respondents)
	}
	return responses, comments
}
