package survey

import (
	"crypto/sha256"
	mrand "math/rand/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// orderLabel keeps the seed of the statement order apart from any other
// use of the token.
const orderLabel = "lvm-mail statement order v1\x00"

// statementOrder returns the statements in the order one respondent sees
// them: shuffled with a seed derived from their token (SHA-256 of a label
// and the token), so that it is stored nowhere and the same on every visit,
// and arranged so that no two statements of one dimension are next to each
// other, which would pair a statement with its twin of the other pole. The
// arrangement is impossible only when one dimension has more than half the
// statements; then as few as possible are adjacent.
func statementOrder(token string, items []campaign.Item) []campaign.Item {
	seed := sha256.Sum256([]byte(orderLabel + token))
	rng := mrand.New(mrand.NewChaCha8(seed))

	left := make([]campaign.Item, len(items))
	copy(left, items)
	remaining := map[string]int{}
	for _, it := range left {
		remaining[it.Dimension]++
	}
	out := make([]campaign.Item, 0, len(items))
	prev := ""
	for len(left) > 0 {
		// Pick at random among the statements that keep the rest
		// arrangeable. Where nothing can (one dimension has too many), take
		// one of the largest dimension, of another dimension if there is one:
		// that leaves as few neighbours of a dimension as can be.
		var ok, other, all []int
		for i, it := range left {
			all = append(all, i)
			if it.Dimension == prev {
				continue
			}
			other = append(other, i)
			remaining[it.Dimension]--
			if arrangeable(remaining, len(left)-1, it.Dimension) {
				ok = append(ok, i)
			}
			remaining[it.Dimension]++
		}
		choice := ok
		if len(choice) == 0 {
			choice = largest(other, left, remaining)
		}
		if len(choice) == 0 {
			choice = largest(all, left, remaining)
		}
		i := choice[rng.IntN(len(choice))]
		it := left[i]
		out = append(out, it)
		remaining[it.Dimension]--
		prev = it.Dimension
		left = append(left[:i], left[i+1:]...)
	}
	return out
}

// largest returns those of the candidates (indices into left) whose
// dimension has the most statements remaining.
func largest(candidates []int, left []campaign.Item, remaining map[string]int) []int {
	most := 0
	for _, i := range candidates {
		most = max(most, remaining[left[i].Dimension])
	}
	var out []int
	for _, i := range candidates {
		if remaining[left[i].Dimension] == most {
			out = append(out, i)
		}
	}
	return out
}

// arrangeable reports whether n statements, counted by dimension, can
// follow one of dimension last with no two of a dimension adjacent: no
// dimension may have more than half of them, rounded up, and last's own
// dimension, which cannot come first, no more than half rounded down.
func arrangeable(counts map[string]int, n int, last string) bool {
	for dim, c := range counts {
		if c > (n+1)/2 || dim == last && c > n/2 {
			return false
		}
	}
	return true
}
