package bounces

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// Store is what reading bounces needs of the campaign store.
type Store interface {
	// RecordBounce records a report once; see campaign.Store.RecordBounce.
	RecordBounce(ctx context.Context, b campaign.Bounce) (campaign.BounceOutcome, error)
}

var _ Store = (*campaign.Store)(nil)

// A Run reads the bounce folder once and records the bounces of its
// campaigns.
type Run struct {
	Mailbox Mailbox
	Store   Store
	// Campaigns are the campaigns whose bounces are recorded; the bounces
	// of others are left for a run that reads them.
	Campaigns []*campaign.Campaign
}

// An Entry is one bounce recorded.
type Entry struct {
	Email      string
	Campaign   string // the campaign's slug
	Status     string
	Diagnostic string
}

// A Summary says what a Run found. Only the reports counted in Failed,
// Soft, Again, Seen and Tests are flagged as processed; everything else is
// left as it was.
type Summary struct {
	Read           int     // messages read: those not flagged as processed
	Failed         []Entry // hard bounces: these people are now failed
	Soft           []Entry // soft bounces, counted; these people still count as sent
	Again          int     // hard bounces of people already failed, or sent again since
	Seen           int     // reports recorded by an earlier run whose flag was lost
	Tests          int     // bounces of test messages (preview --to): nothing to record
	OtherCampaigns int     // bounces of campaigns not read this time
	NotOurs        int     // bounces of other mail, or of another lvm-mail database
	Unrelated      int     // not bounces: replies, out-of-office notices, …
	Malformed      int     // bounces lvm-mail cannot read, or messages too large to be one
	NoKeywords     bool    // the folder keeps no keywords: every message is read each time
}

// batch is how many messages are fetched at once.
const batch = 25

// Read reads every message not yet processed, records the bounces of the
// Run's campaigns and flags them as processed. Running it again changes
// nothing: flagged reports are not read again, and the store records each
// report once even if its flag was lost. It stops at the first error of
// the server or the store; what was recorded until then stays recorded.
func (r *Run) Read(ctx context.Context) (Summary, error) {
	var sum Summary
	s, err := r.Mailbox.open(ctx)
	if err != nil {
		return sum, err
	}
	defer s.close()
	sum.NoKeywords = !s.keywords
	uids, err := s.candidates()
	if err != nil {
		return sum, err
	}
	for start := 0; start < len(uids); start += batch {
		msgs, err := s.fetch(uids[start:min(start+batch, len(uids))])
		if err != nil {
			return sum, err
		}
		var done []imap.UID
		for _, m := range msgs {
			sum.Read++
			processed, err := r.record(ctx, m.Raw, &sum)
			if err != nil {
				s.markProcessed(done)
				return sum, err
			}
			if processed {
				done = append(done, m.UID)
			}
		}
		if err := s.markProcessed(done); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// record handles one message and reports whether it is processed (to be
// flagged) or left alone.
func (r *Run) record(ctx context.Context, raw []byte, sum *Summary) (bool, error) {
	if raw == nil {
		sum.Malformed++
		return false, nil
	}
	rep, err := Parse(raw)
	switch {
	case errors.Is(err, ErrNotBounce):
		sum.Unrelated++
		return false, nil
	case err != nil:
		sum.Malformed++
		return false, nil
	}
	ref, ok := rep.Message()
	switch {
	case !ok:
		sum.NotOurs++
		return false, nil
	case ref.Test:
		sum.Tests++
		return true, nil
	}
	var camp *campaign.Campaign
	for _, c := range r.Campaigns {
		if ref.Of(c) {
			camp = c
		}
	}
	if camp == nil {
		sum.OtherCampaigns++
		return false, nil
	}
	out, err := r.Store.RecordBounce(ctx, campaign.Bounce{Report: rep.Key, Message: ref, Permanent: rep.Permanent,
		Status: rep.Status, Diagnostic: rep.Diagnostic})
	if errors.Is(err, campaign.ErrRecipientNotFound) {
		sum.NotOurs++
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record a bounce: %w", err)
	}
	e := Entry{Email: out.Email, Campaign: camp.Slug, Status: rep.Status, Diagnostic: rep.Diagnostic}
	switch {
	case out.Result == campaign.BounceSeen:
		sum.Seen++
	case out.Result == campaign.BounceFailed:
		sum.Failed = append(sum.Failed, e)
	case rep.Permanent:
		sum.Again++
	default:
		sum.Soft = append(sum.Soft, e)
	}
	return true, nil
}
