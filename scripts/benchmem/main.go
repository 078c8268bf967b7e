// Command benchmem prepares what scripts/bench-memory.sh measures lvm-mail
// against: a roster of any size, an SMTP server that accepts and discards
// every message, and simulated answers for a campaign's links.
//
//	benchmem roster N              write a roster of N staff (CSV) to standard output
//	benchmem smtp                  run the SMTP server, print its address, stop at end of input
//	benchmem answer DB KEY C SHARE record answers for SHARE (0..1) of campaign C's recipients
//
// It is a benchmark helper, not part of lvm-mail.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/demo"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchmem:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: benchmem roster N | smtp | answer DB KEY CAMPAIGN SHARE")
	}
	switch {
	case args[0] == "roster" && len(args) == 2:
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 20 {
			return fmt.Errorf("roster %q: want a number of staff, at least 20", args[1])
		}
		w := bufio.NewWriter(stdout)
		if err := demo.WriteCSV(w, demo.Staff(n)); err != nil {
			return err
		}
		return w.Flush()
	case args[0] == "smtp" && len(args) == 1:
		srv, err := smtptest.Start(smtptest.Options{Discard: true})
		if err != nil {
			return err
		}
		defer srv.Close()
		fmt.Fprintln(stdout, srv.Addr)
		_, err = io.Copy(io.Discard, stdin) // until the script closes our input
		return err
	case args[0] == "answer" && len(args) == 5:
		share, err := strconv.ParseFloat(args[4], 64)
		if err != nil || share < 0 || share > 1 {
			return fmt.Errorf("share %q: want a number from 0 to 1", args[4])
		}
		return answer(ctx, args[1], args[2], args[3], share)
	}
	return fmt.Errorf("unknown command %q", args)
}

// answer records answers, as the demo's simulated staff give them, for a
// share of the campaign's recipients, 256 to a transaction.
func answer(ctx context.Context, db, keyFile, ref string, share float64) error {
	store, err := campaign.Open(ctx, db, campaign.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	key, err := campaign.LoadTokenKey(keyFile, false, nil)
	if err != nil {
		return err
	}
	c, err := store.FindCampaign(ctx, ref)
	if err != nil {
		return err
	}
	recipients, err := store.FindRecipients(ctx, c.ID)
	if err != nil {
		return err
	}
	depts := map[string]demo.Department{}
	for _, d := range demo.Departments {
		depts[d.Name] = d
	}
	r := rand.New(rand.NewPCG(12, 2026))
	comments := demo.NewComments(r)
	var batch []campaign.Submission
	flush := func() error {
		for _, err := range store.RecordResponses(ctx, batch) {
			if err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for i := range recipients {
		if r.Float64() >= share {
			continue
		}
		answers, comment := demo.Answer(&c.Instrument, depts[recipients[i].Groups[campaign.ColumnDepartment]], r, comments)
		batch = append(batch, campaign.Submission{Token: recipients[i].Token(key), Answers: answers, Comment: comment})
		if len(batch) == 256 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
