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

// A Run sends one round of messages, invitations or reminders, to the
// recipients of a campaign that are due, and records every outcome in the
// store. It is idempotent and resumable. Who is due is fixed when the run
// starts (a round), so each person gets at most one message from it. A
// recipient is claimed in the store before their message is composed,
// marked as started just before its SMTP transaction begins, and settled
// after the server's reply: after a crash, only a message whose
// transaction had started can be of unknown fate.
type Run struct {
	Store    *campaign.Store
	Campaign *campaign.Campaign
	Round    campaign.Round     // what to send, and to whom; its Start is set by the run
	Key      *campaign.TokenKey // turns a recipient into their link, and tells who has answered
	BaseURL  string
	Composer *Composer
	Sender   *Sender // not needed for a dry run
	Holder   string  // names this run in the campaign's sender lease
	// HolderGone, when set, tells whether the run named by another lease
	// holder has died (its process is gone), so that its lease is taken at
	// once instead of when it lapses.
	HolderGone func(holder string) bool

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
	Total       int // due when the run started
	Sent        int
	Failed      int
	NoLongerDue int // answered, or left the roster, before their turn came
}

// Done is the number of recipients settled so far.
func (p Progress) Done() int { return p.Sent + p.Failed + p.NoLongerDue }

// A Summary is what a Run did. Due = Sent + Failed + NoLongerDue + Untried.
type Summary struct {
	Kind        campaign.MessageKind
	DryRun      bool
	Due         int                // due when the run started
	Sent        int                // accepted by the server (dry run: rendered and checked)
	Failed      []campaign.Failure // refused for good in this run, with the server's reply
	NoLongerDue int                // answered, or left the roster, before their turn came
	Untried     int                // still due: the run stopped first
	Unknown     int                // invitations whose fate is unknown and that were not resent
	Recovered   campaign.Recovery  // left in flight by a run that died
	Skipped     int                // not due: already sent, refused earlier, answered, left the roster, or (reminders) not yet or no more
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
	return Letter{Kind: r.Round.Kind, Campaign: r.Campaign, Recipient: rc,
		Link: Link(r.BaseURL, rc.Token(r.Key)), Reminder: rc.RemindersSent + 1}
}

// checkOpen refuses a closed campaign.
func (r *Run) checkOpen() error {
	if r.Campaign.Closed(r.now()) {
		return fmt.Errorf("%s for %s: %w: its links no longer take answers, so nothing was sent", r.Round.Kind, r.Campaign.Slug, campaign.ErrCampaignClosed)
	}
	return nil
}

// DryRun renders and checks every message the Run would send now, and
// sends nothing: it connects to no server and changes nothing in the
// store. It returns the first message that cannot be composed, and
// ErrCampaignClosed for a closed campaign.
func (r *Run) DryRun(ctx context.Context) (Summary, error) {
	sum := Summary{Kind: r.Round.Kind, DryRun: true}
	if err := r.checkOpen(); err != nil {
		return sum, err
	}
	st, err := r.Store.CampaignStatus(ctx, r.Campaign)
	if err != nil {
		return sum, err
	}
	r.Round.Start = r.now()
	due, err := r.Store.FindDue(ctx, r.Campaign.ID, r.Round, r.Key)
	if err != nil {
		return sum, err
	}
	sum.Due = len(due)
	for len(due) > 0 {
		n := min(len(due), r.batch())
		rs, err := r.Store.FindMessageRecipients(ctx, due[:n])
		if err != nil {
			return sum, err
		}
		due = due[n:]
		for i := range rs {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
			m, release, err := r.Composer.compose(r.letter(&rs[i]))
			if err != nil {
				return sum, err
			}
			_, err = m.WriteTo(io.Discard)
			release()
			if err != nil {
				return sum, fmt.Errorf("write %s to %s: %w", r.Round.Kind, rs[i].Email, err)
			}
			sum.Sent++
			if r.Progress != nil {
				r.Progress(Progress{Total: sum.Due, Sent: sum.Sent})
			}
		}
	}
	r.finish(&sum, st)
	return sum, nil
}

// finish fills in the counts that come from the campaign's status.
func (r *Run) finish(sum *Summary, st campaign.Status) {
	if !sum.DryRun {
		sum.Untried = sum.Due - sum.Sent - len(sum.Failed) - sum.NoLongerDue
	}
	notDue := st.Invited - sum.Due
	if r.Round.Kind == campaign.Invitation {
		sum.Unknown = st.Unknown
		if !r.Round.ResendUnknown {
			notDue -= st.Unknown
		}
	}
	sum.Skipped = max(0, notDue)
}

// Send takes the campaign's sender lease, fixes who is due, sends each of
// them their message and records each outcome, then releases the lease. It
// refuses a closed campaign (ErrCampaignClosed) and a campaign another run
// is sending (ErrSenderBusy). When ctx is cancelled it stops claiming,
// lets the messages in flight finish, records everything and returns
// ErrInterrupted with the summary so far. A *ConnectError means the server
// could not be reached or refused the login; the messages not sent stay
// due.
func (r *Run) Send(ctx context.Context) (sum Summary, err error) {
	sum = Summary{Kind: r.Round.Kind}
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
	rec, err := r.Store.AcquireSender(ctx, r.Campaign.ID, r.Holder, ttl, r.HolderGone)
	if err != nil {
		return sum, err
	}
	sum.Recovered = rec
	defer func() {
		if rerr := r.Store.ReleaseSender(keep, r.Campaign.ID, r.Holder); rerr != nil && err == nil {
			err = rerr
		}
	}()

	r.Round.Start = r.now()
	due, err := r.Store.FindDue(ctx, r.Campaign.ID, r.Round, r.Key)
	if err != nil {
		return sum, err
	}
	sum.Due = len(due)

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

	// Few jobs wait in the channel: a claimed job waits for a connection,
	// and the run stops on a cancel without sending what waits.
	batch := r.batch()
	jobs := make(chan *Job, r.Sender.Concurrency())
	outcomes := make(chan Outcome, batch)
	starts := make(chan startRequest)
	var feedErr, sendErr error
	var wg sync.WaitGroup
	wg.Go(func() { feedErr = r.feed(runCtx, keep, stop, due, batch, starts, jobs, outcomes) })
	wg.Go(func() { sendErr = r.Sender.Run(runCtx, jobs, outcomes) })
	go func() {
		wg.Wait()
		close(outcomes)
	}()
	recordErr := r.record(keep, stop, outcomes, starts, &sum) // returns once outcomes is closed
	if r.Round.Kind == campaign.Reminder && recordErr == nil && sendErr == nil && feedErr == nil &&
		ctx.Err() == nil && context.Cause(runCtx) == nil && sum.Due == sum.Sent+len(sum.Failed)+sum.NoLongerDue {
		// Everyone due was reminded: record the round for those who had
		// answered too, so that the database does not tell them apart.
		if err := r.Store.CloseRound(keep, r.Campaign.ID, r.Holder, r.Round, r.Key); err != nil {
			recordErr = err
		}
	}

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
// second's worth.
func (r *Run) batch() int {
	if r.Batch > 0 {
		return r.Batch
	}
	if r.Sender == nil {
		return 64
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

// feed claims the due recipients batch by batch, composes their messages
// and hands them to the sender, until all are done or ctx ends. It closes
// jobs. Those a claim leaves out are no longer due.
func (r *Run) feed(ctx, keep context.Context, stop context.CancelCauseFunc, due []int64, batch int, starts chan<- startRequest,
	jobs chan<- *Job, outcomes chan<- Outcome) error {
	defer close(jobs)
	for len(due) > 0 && ctx.Err() == nil {
		n := min(len(due), batch)
		// Claim with keep: a claim is one short transaction, and a claim
		// that committed must not be lost to a cancel in between.
		rs, err := r.Store.Claim(keep, r.Campaign.ID, r.Holder, r.Round, due[:n], r.Key)
		if err != nil {
			stop(err)
			return err
		}
		due = due[n:]
		outcomes <- Outcome{dropped: n - len(rs)}
		for i := range rs {
			rc := &rs[i]
			job := &Job{To: rc.Email, RecipientID: rc.ID, Kind: r.Round.Kind, start: startHook(starts, rc.ID)}
			m, release, err := r.Composer.compose(r.letter(rc))
			if err != nil {
				outcomes <- Outcome{Job: job, Result: campaign.Refused, Reply: "not sent: " + err.Error()}
				continue
			}
			job.Msg, job.release = m, release
			select {
			case jobs <- job:
			case <-ctx.Done():
				release()
				for j := i; j < len(rs); j++ {
					outcomes <- Outcome{Job: &Job{To: rs[j].Email, RecipientID: rs[j].ID, Kind: r.Round.Kind}, Result: campaign.Untried}
				}
				return nil
			}
		}
	}
	return nil
}

// A startRequest asks the record loop to mark a message as started.
type startRequest struct {
	id   int64
	done chan error
}

// startHook returns the function a worker calls once the server has
// accepted the envelope of the recipient's message, before DATA: it waits
// until the store knows that the message's transaction has begun.
func startHook(starts chan<- startRequest, id int64) func() error {
	return func() error {
		done := make(chan error, 1)
		starts <- startRequest{id, done}
		return <-done
	}
}

// record writes what happens to the store: outcomes in batches, and the
// starts the workers ask for, each with every outcome waiting, in one
// transaction (Store.Advance). So the workers' starts share commits, and
// an outcome is recorded by the next start at the latest. It keeps the
// summary and the progress. A failure to record stops the run.
func (r *Run) record(ctx context.Context, stop context.CancelCauseFunc, outcomes <-chan Outcome, starts <-chan startRequest, sum *Summary) error {
	every, after := r.FlushEvery, r.FlushAfter
	if every <= 0 {
		every = DefaultFlushEvery
	}
	if after <= 0 {
		after = DefaultFlushAfter
	}
	var pending []campaign.Delivery
	var recordErr error
	advance := func(started []startRequest) error {
		ids := make([]int64, len(started))
		for i, req := range started {
			ids[i] = req.id
		}
		err := r.Store.Advance(ctx, r.Campaign.ID, r.Holder, pending, ids)
		var startErr error
		if errors.Is(err, campaign.ErrSenderLost) {
			err, startErr = nil, err // the outcomes were recorded; the starts were not
		}
		if err != nil {
			if recordErr == nil {
				recordErr = err
				stop(err)
			}
			startErr = err // keep the outcomes: the final flush tries again
		} else {
			pending = pending[:0]
		}
		for _, req := range started {
			req.done <- startErr
		}
		return err
	}
	timer := time.NewTimer(after)
	timer.Stop()
	armed := false
	progress := Progress{Total: sum.Due}
	for {
		select {
		case req := <-starts:
			batch := []startRequest{req}
			for more := true; more; {
				select {
				case req := <-starts:
					batch = append(batch, req)
				default:
					more = false
				}
			}
			advance(batch)
		case o, ok := <-outcomes:
			if !ok {
				if len(pending) > 0 {
					advance(nil)
				}
				return recordErr
			}
			if o.Job == nil { // people a claim left out
				sum.NoLongerDue += o.dropped
				progress.NoLongerDue += o.dropped
				if o.dropped > 0 && r.Progress != nil {
					r.Progress(progress)
				}
				continue
			}
			if o.Job.release != nil {
				o.Job.release() // the message will not be written again
			}
			if o.Err != nil {
				stop(o.Err)
			}
			// An invitation's time is left to the store's clock, the clock of
			// every other time it keeps; the batch is at most FlushAfter
			// late. A reminder counts from its round's start, as the round is
			// recorded for those who had answered (Store.CloseRound).
			d := campaign.Delivery{RecipientID: o.Job.RecipientID, Kind: o.Job.Kind, Result: o.Result, Reply: o.Reply, Attempts: o.Attempts}
			if o.Job.Kind == campaign.Reminder {
				d.At = r.Round.Start
			}
			pending = append(pending, d)
			switch o.Result {
			case campaign.Delivered:
				sum.Sent++
				progress.Sent++
			case campaign.Refused:
				sum.Failed = append(sum.Failed, campaign.Failure{Email: o.Job.To, Reply: o.Reply, Kind: o.Job.Kind})
				progress.Failed++
			}
			if r.Progress != nil && o.Result != campaign.Untried {
				r.Progress(progress)
			}
			if len(pending) >= every {
				advance(nil)
			} else if !armed {
				timer.Reset(after)
				armed = true
			}
		case <-timer.C:
			armed = false
			if len(pending) > 0 {
				advance(nil)
			}
		}
	}
}
