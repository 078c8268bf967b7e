package mailer_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/wneessen/go-mail"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// One operation of BenchmarkSend is a campaign of benchMessages messages
// over benchConns connections.
const benchMessages, benchConns = 200, 4

// BenchmarkSend measures the whole send path (claim in SQLite, render,
// SMTP, record in SQLite) against a bare go-mail client that pushes the
// same messages, already rendered, over the same number of connections,
// with the same SMTP conversation (no NOOP, no RSET). Both talk to the same
// in-process server. scripts/bench.sh prints the ratio.
func BenchmarkSend(b *testing.B) {
	srv := startServer(b, smtptest.Options{Discard: true})
	cfg := senderConfig(srv)
	cfg.Concurrency = benchConns

	b.Run("bare-go-mail", func(b *testing.B) {
		f := newFixture(b, benchMessages)
		run := f.run(campaign.Invitation, cfg)
		recipients, err := f.store.FindRecipients(context.Background(), f.camp.ID)
		if err != nil {
			b.Fatal(err)
		}
		parts := make([][]*mail.Msg, benchConns)
		for i := range recipients {
			r := &recipients[i]
			m, err := run.Composer.Compose(mailer.Letter{Kind: campaign.Invitation, Campaign: f.camp, Recipient: r,
				Link: mailer.Link(baseURL, r.Token(f.key))})
			if err != nil {
				b.Fatal(err)
			}
			parts[i%benchConns] = append(parts[i%benchConns], m)
		}
		b.ResetTimer()
		for range b.N {
			var wg sync.WaitGroup
			for _, msgs := range parts {
				wg.Go(func() {
					c, err := mail.NewClient(srv.Host, mail.WithPort(srv.Port), mail.WithTLSPolicy(mail.NoTLS),
						mail.WithoutNoop(), mail.WithoutRset())
					if err != nil {
						b.Error(err)
						return
					}
					if err := c.DialWithContext(context.Background()); err != nil {
						b.Error(err)
						return
					}
					for _, m := range msgs {
						if err := c.Send(m); err != nil {
							b.Error(err)
						}
					}
					c.Close()
				})
			}
			wg.Wait()
		}
		b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("lvm-mail", func(b *testing.B) {
		f := newFixture(b, benchMessages)
		db := f.db()
		run := f.run(campaign.Invitation, cfg)
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			if _, err := db.Exec(`UPDATE recipients SET state = 'pending', sent_at = NULL, last_message_at = NULL`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			sum, err := run.Send(context.Background())
			if err != nil || sum.Sent != benchMessages {
				b.Fatalf("sent %d of %d: %v", sum.Sent, benchMessages, err)
			}
		}
		b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// BenchmarkRateLimit measures how close to a configured rate the sender
// gets, by the server's clock: the rate-% metric is the rate achieved as a
// percentage of the configured one (100 is exact; the limiter never lets it
// go above, see TestRateLimit). Each operation sends 200 messages at 100 a
// second over 4 connections.
func BenchmarkRateLimit(b *testing.B) {
	const n, perSecond = 200, 100.0
	srv := startServer(b, smtptest.Options{Discard: true})
	cfg := senderConfig(srv)
	cfg.Rate = perSecond
	s := newSender(b, cfg)
	var achieved float64
	for range b.N {
		srv.Reset()
		if _, err := deliver(b, s, addresses(n)...); err != nil {
			b.Fatal(err)
		}
		msgs := srv.Messages()
		slices.SortFunc(msgs, func(a, b smtptest.Message) int { return a.At.Compare(b.At) })
		first, last := msgs[cfg.Concurrency].At, msgs[len(msgs)-1].At
		achieved += float64(len(msgs)-1-cfg.Concurrency) / last.Sub(first).Seconds()
	}
	b.ReportMetric(100*achieved/float64(b.N)/perSecond, "rate-%")
}
