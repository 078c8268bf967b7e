package survey

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// TestGroupCommitBatches holds the first transaction open until every other
// submission has queued, and checks that they share the next one, in order
// of arrival, each with its own result.
func TestGroupCommitBatches(t *testing.T) {
	const n = 10
	release := make(chan struct{})
	var mu sync.Mutex
	var batches [][]string
	g := &groupCommit{record: func(_ context.Context, subs []campaign.Submission) []error {
		mu.Lock()
		first := len(batches) == 0
		var tokens []string
		for _, s := range subs {
			tokens = append(tokens, s.Token)
		}
		batches = append(batches, tokens)
		mu.Unlock()
		if first {
			<-release
		}
		errs := make([]error, len(subs))
		for i, s := range subs {
			errs[i] = fmt.Errorf("result for %s", s.Token)
		}
		return errs
	}}

	results := make([]error, n)
	var wg sync.WaitGroup
	wg.Go(func() { results[0] = g.submit(context.Background(), campaign.Submission{Token: "t0"}) })
	waitFor(t, g, func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })
	for i := 1; i < n; i++ {
		wg.Go(func() { results[i] = g.submit(context.Background(), campaign.Submission{Token: fmt.Sprintf("t%d", i)}) })
		waitFor(t, g, func() bool { return len(g.queue) == i })
	}
	close(release)
	wg.Wait()

	for i, err := range results {
		if want := fmt.Sprintf("result for t%d", i); err == nil || err.Error() != want {
			t.Errorf("submission %d: got %v, want %q", i, err, want)
		}
	}
	if len(batches) != 2 || !slices.Equal(batches[0], []string{"t0"}) || len(batches[1]) != n-1 || batches[1][0] != "t1" {
		t.Errorf("got batches %v, want [t0] then t1…t%d together", batches, n-1)
	}
	if g.leading || len(g.queue) != 0 {
		t.Error("the group commit did not come to rest")
	}
}

// waitFor polls cond under the group commit's lock until it holds (or the
// test times out).
func waitFor(t *testing.T, g *groupCommit, cond func() bool) {
	t.Helper()
	for {
		g.mu.Lock()
		ok := cond()
		g.mu.Unlock()
		if ok {
			return
		}
		runtime.Gosched()
	}
}

// TestGroupCommitPanic: when recording panics, the leader's request gets
// the panic, the others an error, and the next submission is recorded.
func TestGroupCommitPanic(t *testing.T) {
	calls := 0
	g := &groupCommit{record: func(_ context.Context, subs []campaign.Submission) []error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return make([]error, len(subs))
	}}
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("got panic %v, want boom", v)
			}
		}()
		g.submit(context.Background(), campaign.Submission{Token: "a"})
	}()
	if err := g.submit(context.Background(), campaign.Submission{Token: "b"}); err != nil {
		t.Errorf("after a panic: got %v, want the next submission recorded", err)
	}
	if errors.Is(errLeaderPanicked, errLead) {
		t.Error("the two signals must differ")
	}
}
