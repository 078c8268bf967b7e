package survey

import (
	"context"
	"errors"
	"sync"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// maxBatch is the most submissions one transaction records.
const maxBatch = 128

// groupCommit records submissions that arrive together in one transaction.
// One request at a time, the leader, writes: it records every submission
// queued so far, hands each its result, and passes the lead to the oldest
// submission that queued meanwhile. So people who press "send" at the same
// moment share one commit and never wait for each other's write lock, while
// each submission is still checked and applied on its own (see
// campaign.Store.RecordResponses).
type groupCommit struct {
	record func(context.Context, []campaign.Submission) []error

	mu      sync.Mutex
	queue   []*pendingSubmission
	leading bool // a leader is recording; when false, queue is empty
}

type pendingSubmission struct {
	sub  campaign.Submission
	done chan error // the result, or errLead; buffered so senders never block
}

// errLead tells a queued submission to lead the next batch.
var errLead = errors.New("survey: lead the next batch")

// errLeaderPanicked answers the submissions of a batch whose recording
// panicked; the leader's own request gets the panic.
var errLeaderPanicked = errors.New("survey: recording the batch panicked")

// submit records sub, alone or with others, and returns its result. It
// waits for the result even if ctx is cancelled, because by then the
// submission may be part of a batch another request is recording.
func (g *groupCommit) submit(ctx context.Context, sub campaign.Submission) error {
	p := &pendingSubmission{sub: sub, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	if g.leading {
		g.mu.Unlock()
		if err := <-p.done; err != errLead {
			return err
		}
	} else {
		g.leading = true
		g.mu.Unlock()
	}
	return g.lead(ctx, p)
}

// lead records the batch at the head of the queue, which starts with p.
func (g *groupCommit) lead(ctx context.Context, p *pendingSubmission) error {
	g.mu.Lock()
	n := min(len(g.queue), maxBatch)
	batch := g.queue[:n:n]
	g.queue = append([]*pendingSubmission(nil), g.queue[n:]...)
	g.mu.Unlock()

	subs := make([]campaign.Submission, n)
	for i, q := range batch {
		subs[i] = q.sub
	}
	var errs []error
	defer func() {
		for i, q := range batch {
			switch {
			case q == p:
			case errs == nil:
				q.done <- errLeaderPanicked
			default:
				q.done <- errs[i]
			}
		}
		g.mu.Lock()
		if len(g.queue) > 0 {
			g.queue[0].done <- errLead
		} else {
			g.leading = false
		}
		g.mu.Unlock()
	}()
	// The batch belongs to everyone in it: one person closing their browser
	// must not cancel the others' answers.
	errs = g.record(context.WithoutCancel(ctx), subs)
	return errs[0] // p leads, so it is first
}
