package survey

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
)

// ids returns the ids of items, in order.
func ids(items []campaign.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// adjacent counts the neighbours that share a dimension.
func adjacent(items []campaign.Item) int {
	n := 0
	for i := 1; i < len(items); i++ {
		if items[i].Dimension == items[i-1].Dimension {
			n++
		}
	}
	return n
}

func TestStatementOrder(t *testing.T) {
	in := instrument.Default()
	want := slices.Sorted(slices.Values(ids(in.Items)))
	firsts := map[string]bool{}
	orders := map[string]bool{}
	for i := range 300 {
		token := fmt.Sprintf("token-%03d-abcdefghijklmnopqrstuv", i)
		got := statementOrder(token, in.Items)
		if g := slices.Sorted(slices.Values(ids(got))); !slices.Equal(g, want) {
			t.Fatalf("%s: got statements %v, want each of %v once", token, g, want)
		}
		if n := adjacent(got); n != 0 {
			t.Errorf("%s: %d pairs of statements of one dimension are next to each other: %v", token, n, ids(got))
		}
		if again := statementOrder(token, in.Items); !slices.Equal(ids(again), ids(got)) {
			t.Errorf("%s: the order changed between two visits", token)
		}
		firsts[got[0].ID] = true
		orders[fmt.Sprint(ids(got))] = true
	}
	if len(orders) != 300 {
		t.Errorf("300 tokens gave %d different orders, want 300", len(orders))
	}
	if len(firsts) != len(in.Items) {
		t.Errorf("over 300 tokens, %d of the %d statements ever came first, want all", len(firsts), len(in.Items))
	}
	if slices.Equal(ids(statementOrder("a", in.Items)), ids(in.Items)) {
		t.Error("a token got the instrument's own order")
	}

	t.Run("OneDimensionTooLarge", func(t *testing.T) {
		// Four of six statements in one dimension: two must touch, no more.
		items := []campaign.Item{
			{ID: "a1", Dimension: "a"}, {ID: "a2", Dimension: "a"}, {ID: "a3", Dimension: "a"}, {ID: "a4", Dimension: "a"},
			{ID: "b1", Dimension: "b"}, {ID: "c1", Dimension: "c"},
		}
		for i := range 50 {
			got := statementOrder(fmt.Sprint(i), items)
			if len(got) != len(items) || adjacent(got) != 1 {
				t.Errorf("got %v: %d adjacent pairs, want the one that cannot be avoided", ids(got), adjacent(got))
			}
		}
	})
}
