package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// ErrInterrupted is returned by a Run that was stopped (Ctrl-C) before it
// had sent everything due. What was in flight has been recorded.
var ErrInterrupted = errors.New("mailer: interrupted")

// Defaults of a Run.
const (
	DefaultLeaseTTL   = 30 * time.Second
	DefaultFlushEvery = 64                    // outcomes recorded per transaction, at most
	DefaultFlushAfter = 10 * time.Millisecond // longest wait before an outcome is recorded
)

// A Run sends one kind of message, invitations or reminders, to the
// recipients of a campaign that are due, and records every outcome in the
// store. It is idempotent and resumable: a recipient is claimed (marked in
// flight) in the store before their message is handed to the server and
// settled after the server's reply, so a second Run sends nothing twice.
type Run struct {
	Store         *campaign.Store
	Campaign      *campaign.Campaign
	Kind          campaign.MessageKind
	ResendUnknown bool                    // invitations: resend those whose fate is unknown
	Reminders     campaign.ReminderPolicy // reminders: who is due
	Key           *campaign.TokenKey      // turns a recipient into their link
	BaseURL       string
	Composer      *Composer
	Sender        *Sender // not needed for a dry run
	Holder        string  // names this run in the campaign's sender lease

	LeaseTTL   time.Duration // 0: DefaultLeaseTTL
	Batch      int           // recipients claimed per transaction; 0: chosen from the Sender
	FlushEvery int           // 0: DefaultFlushEvery
	FlushAfter time.Duration // 0: DefaultFlushAfter

	Progress func(Progress) // called after each outcome; may be nil
	Logger   *slog.Logger   // may be nil
	Now      func() time.Time
}

// Progress is how far a Run has got.
type Progress struct {
	Total   int // due when the run started
	Sent    int
	Failed  int
	Untried int // left due for a later run
}

// Done is the number of recipients settled so far.
func (p Progress) Done() int { return p.Sent + p.Failed + p.Untried }

// A Summary is what a Run did.
type Summary struct {
	Kind      campaign.MessageKind
	DryRun    bool
	Due       int                // due when the run started
	Sent      int                // accepted by the server (dry run: rendered and checked)
	Failed    []campaign.Failure // refused for good in this run, with the server's reply
	Untried   int                // still due: the run stopped first
	Unknown   int                // invitations whose fate is unknown and that were not resent
	Recovered campaign.Recovery  // left in flight by a run that died
	Skipped   int                // not due: already sent, refused earlier, responded, left the roster, or (reminders) not yet or no more
}

func (r *Run) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Run) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// letter returns the letter for a recipient, with their real link.
func (r *Run) letter(rc *campaign.Recipient) Letter {
	return Letter{Kind: r.Kind, Campaign: r.Campaign, Recipient: rc,
		Link: Link(r.BaseURL, rc.Token(r.Key)), Reminder: rc.RemindersSent + 1}
}

// checkOpen refuses a closed campaign.
func (r *Run) checkOpen() error {
	if r.Campaign.Closed(r.now()) {
		return fmt.Errorf("%s for %s: %w: its links no longer take answers, so nothing was sent", r.Kind, r.Campaign.Slug, campaign.ErrCampaignClosed)
	}
	return nil
}

// DryRun renders and checks every message the Run would send now, and
// sends nothing: it connects to no server and changes nothing in the
// store. It returns the first message that cannot be composed, and
// ErrCampaignClosed for a closed campaign.
func (r *Run) DryRun(ctx context.Context) (Summary, error) {
	sum := Summary{Kind: r.Kind, DryRun: true}
	if err := r.checkOpen(); err != nil {
		return sum, err
	}
	st, err := r.Store.CampaignStatus(ctx, r.Campaign)
	if err != nil {
		return sum, err
	}
	due, err := r.due(ctx)
	if err != nil {
		return sum, err
	}
	sum.Due = len(due)
	for i := range due {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		m, release, err := r.Composer.compose(r.letter(&due[i]))
		if err != nil {
			return sum, err
		}
		_, err = m.WriteTo(io.Discard)
		release()
		if err != nil {
			return sum, fmt.Errorf("write %s to %s: %w", r.Kind, due[i].Email, err)
		}
		sum.Sent++
		if r.Progress != nil {
			r.Progress(Progress{Total: sum.Due, Sent: sum.Sent})
		}
	}
	r.finish(&sum, st)
	return sum, nil
}

func (r *Run) due(ctx context.Context) ([]campaign.Recipient, error) {
	if r.Kind == campaign.Reminder {
		return r.Store.FindRemindersDue(ctx, r.Campaign.ID, r.Reminders)
	}
	return r.Store.FindInvitationsDue(ctx, r.Campaign.ID, r.ResendUnknown)
}

func (r *Run) claim(ctx context.Context, n int) ([]campaign.Recipient, error) {
	if r.Kind == campaign.Reminder {
		return r.Store.ClaimReminders(ctx, r.Campaign.ID, r.Holder, n, r.Reminders)
	}
	return r.Store.ClaimInvitations(ctx, r.Campaign.ID, r.Holder, n, r.ResendUnknown)
}

// finish fills in the counts that come from the campaign's status.
func (r *Run) finish(sum *Summary, st campaign.Status) {
	notDue := st.Invited - sum.Due
	if r.Kind == campaign.Invitation {
		sum.Unknown = st.Unknown
		if !r.ResendUnknown {
			notDue -= st.Unknown
		}
	}
	sum.Skipped = max(0, notDue)
}

// Send takes the campaign's sender lease, sends every message due and
// records each outcome, then releases the lease. It refuses a closed
// campaign (ErrCampaignClosed) and a campaign another run is sending
// (ErrSenderBusy). When ctx is cancelled it stops claiming, lets the
// messages in flight finish, records everything and returns
// ErrInterrupted with the summary so far. A *ConnectError means the server
// could not be reached or refused the login; the messages not sent stay
// due.
func (r *Run) Send(ctx context.Context) (sum Summary, err error) {
	sum = Summary{Kind: r.Kind}
	if err := r.checkOpen(); err != nil {
		return sum, err
	}
	if r.Sender == nil {
		return sum, errors.New("mailer: Run.Send needs a Sender")
	}
	ttl := r.LeaseTTL
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	keep := context.WithoutCancel(ctx) // for what must be recorded after a cancel
	rec, err := r.Store.AcquireSender(ctx, r.Campaign.ID, r.Holder, ttl)
	if err != nil {
		return sum, err
	}
	sum.Recovered = rec
	defer func() {
		if rerr := r.Store.ReleaseSender(keep, r.Campaign.ID, r.Holder); rerr != nil && err == nil {
			err = rerr
		}
	}()

	if r.Kind == campaign.Reminder {
		sum.Due, err = r.Store.CountRemindersDue(ctx, r.Campaign.ID, r.Reminders)
	} else {
		sum.Due, err = r.Store.CountInvitationsDue(ctx, r.Campaign.ID, r.ResendUnknown)
	}
	if err != nil {
		return sum, err
	}

	runCtx, stop := context.WithCancelCause(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		r.renew(runCtx, stop, ttl)
	}()
	defer func() { // before the lease is released
		stop(nil)
		<-renewed
	}()

	// Few jobs wait in the channel: every claimed job not yet with the
	// server would be unknown after a crash.
	batch := r.batch()
	jobs := make(chan *Job, r.Sender.Concurrency())
	outcomes := make(chan Outcome, batch)
	var feedErr, sendErr error
	var wg sync.WaitGroup
	wg.Go(func() { feedErr = r.feed(runCtx, keep, stop, batch, jobs, outcomes) })
	wg.Go(func() { sendErr = r.Sender.Run(runCtx, jobs, outcomes) })
	go func() {
		wg.Wait()
		close(outcomes)
	}()
	recordErr := r.record(keep, stop, outcomes, &sum) // returns once outcomes is closed

	st, statusErr := r.Store.CampaignStatus(keep, r.Campaign)
	if statusErr == nil {
		r.finish(&sum, st)
	}
	switch {
	case recordErr != nil:
		return sum, recordErr
	case sendErr != nil:
		return sum, sendErr
	case feedErr != nil:
		return sum, feedErr
	case statusErr != nil:
		return sum, statusErr
	case errors.Is(context.Cause(runCtx), campaign.ErrSenderLost):
		return sum, context.Cause(runCtx)
	case ctx.Err() != nil || sum.Untried > 0:
		return sum, ErrInterrupted
	}
	return sum, nil
}

// batch is how many recipients a claim takes: enough to keep every
// connection busy with few transactions (BenchmarkSend: 16 at a time
// costs a tenth of the throughput of 32), and with a rate limit about a
// second's worth, so that few are marked in flight before their turn.
func (r *Run) batch() int {
	if r.Batch > 0 {
		return r.Batch
	}
	n := min(max(8*r.Sender.Concurrency(), 16), 64)
	if rate := r.Sender.cfg.Rate; rate > 0 {
		n = min(n, max(r.Sender.Concurrency(), int(rate)))
	}
	return n
}

// renew keeps the lease alive until ctx ends; losing it stops the run.
func (r *Run) renew(ctx context.Context, stop context.CancelCauseFunc, ttl time.Duration) {
	t := time.NewTicker(ttl / 6)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := r.Store.RenewSender(ctx, r.Campaign.ID, r.Holder, ttl)
			switch {
			case errors.Is(err, campaign.ErrSenderLost):
				r.logger().Error("lost the sender lease; stopping", "campaign", r.Campaign.Slug)
				stop(err)
				return
			case err != nil && ctx.Err() == nil:
				r.logger().Warn("could not renew the sender lease", "campaign", r.Campaign.Slug, "error", err)
			}
		}
	}
}

// feed claims recipients batch by batch, composes their messages and hands
// them to the sender, until none is due or ctx ends. It closes jobs.
func (r *Run) feed(ctx, keep context.Context, stop context.CancelCauseFunc, batch int, jobs chan<- *Job, outcomes chan<- Outcome) error {
	defer close(jobs)
	for ctx.Err() == nil {
		// Claim with keep: a claim is one short transaction, and a claim
		// that committed must not be lost to a cancel in between.
		rs, err := r.claim(keep, batch)
		if err != nil {
			stop(err)
			return err
		}
		if len(rs) == 0 {
			return nil
		}
		for i := range rs {
			rc := &rs[i]
			job := &Job{To: rc.Email, RecipientID: rc.ID, Kind: r.Kind}
			m, release, err := r.Composer.compose(r.letter(rc))
			if err != nil {
				outcomes <- Outcome{Job: job, Result: campaign.Refused, Reply: "not sent: " + err.Error()}
				continue
			}
			job.Msg, job.release = m, release
			select {
			case jobs <- job:
			case <-ctx.Done():
				for j := i; j < len(rs); j++ {
					outcomes <- Outcome{Job: &Job{To: rs[j].Email, RecipientID: rs[j].ID, Kind: r.Kind}, Result: campaign.Untried}
				}
				return nil
			}
		}
	}
	return nil
}

// record writes outcomes to the store in batches, and keeps the summary
// and the progress. A failure to record stops the run.
func (r *Run) record(ctx context.Context, stop context.CancelCauseFunc, outcomes <-chan Outcome, sum *Summary) error {
	every, after := r.FlushEvery, r.FlushAfter
	if every <= 0 {
		every = DefaultFlushEvery
	}
	if after <= 0 {
		after = DefaultFlushAfter
	}
	var pending []campaign.Delivery
	var recordErr error
	flush := func() {
		if len(pending) == 0 {
			return
		}
		if err := r.Store.RecordDeliveries(ctx, pending); err != nil {
			if recordErr == nil {
				recordErr = err
				stop(err)
			}
			return // keep them: the final flush tries again
		}
		pending = pending[:0]
	}
	timer := time.NewTimer(after)
	timer.Stop()
	armed := false
	progress := Progress{Total: sum.Due}
	for {
		select {
		case o, ok := <-outcomes:
			if !ok {
				flush()
				return recordErr
			}
			if o.Job.release != nil {
				o.Job.release() // the message will not be written again
			}
			if o.Err != nil {
				stop(o.Err)
			}
			// At is left to the store's clock, the clock of every other
			// time it keeps; the batch is at most FlushAfter late.
			pending = append(pending, campaign.Delivery{RecipientID: o.Job.RecipientID, Kind: o.Job.Kind,
				Result: o.Result, Reply: o.Reply, Attempts: o.Attempts})
			switch o.Result {
			case campaign.Delivered:
				sum.Sent++
				progress.Sent++
			case campaign.Refused:
				sum.Failed = append(sum.Failed, campaign.Failure{Email: o.Job.To, Reply: o.Reply})
				progress.Failed++
			case campaign.Untried:
				sum.Untried++
				progress.Untried++
			}
			if r.Progress != nil {
				r.Progress(progress)
			}
			if len(pending) >= every {
				flush()
			} else if !armed {
				timer.Reset(after)
				armed = true
			}
		case <-timer.C:
			armed = false
			flush()
		}
	}
}
