package mailer_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// testMsg builds a small message to addr.
func testMsg(t testing.TB, addr string) *mail.Msg {
	t.Helper()
	m := mail.NewMsg()
	if err := m.From("people@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := m.To(addr); err != nil {
		t.Fatal(err)
	}
	m.Subject("Hello")
	m.SetBodyString(mail.TypeTextPlain, "Hello, "+addr+"\n")
	return m
}

// deliver runs the Sender over a job for each address and returns the
// outcomes by address, and Run's error.
func deliver(t testing.TB, s *mailer.Sender, addrs ...string) (map[string]mailer.Outcome, error) {
	t.Helper()
	jobs := make(chan *mailer.Job, len(addrs))
	outcomes := make(chan mailer.Outcome, len(addrs))
	for i, a := range addrs {
		jobs <- &mailer.Job{Msg: testMsg(t, a), To: a, RecipientID: int64(i + 1), Kind: campaign.Invitation}
	}
	close(jobs)
	err := s.Run(context.Background(), jobs, outcomes)
	close(outcomes)
	got := map[string]mailer.Outcome{}
	for o := range outcomes {
		got[o.Job.To] = o
	}
	if len(got) != len(addrs) {
		t.Fatalf("got %d outcomes, want one for each of %d jobs", len(got), len(addrs))
	}
	return got, err
}

func newSender(t testing.TB, cfg mailer.Config) *mailer.Sender {
	t.Helper()
	s, err := mailer.NewSender(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func addresses(n int) []string {
	var out []string
	for i := range n {
		out = append(out, personEmail(i))
	}
	return out
}

// TestRateLimit: the sender never goes faster than the configured rate, as
// the server's clock measures it, and reuses its connections.
//
// Only the upper bound is checked. A busy machine (the race detector, CI, a
// colleague's build) can make any sender slower than its rate, so a lower
// bound would be a timing assertion that flakes; how close to the rate the
// sender gets is measured by BenchmarkRateLimit. Nothing can make it
// faster: message k is handed to the server no earlier than the limiter's
// k-th token, so between the arrivals of messages i and j the server's
// clock shows at least (j-i)/rate minus the delay of message i alone. The
// count starts once every connection is open, so that dialling is not that
// delay, and the bound allows it a quarter of a second.
func TestRateLimit(t *testing.T) {
	const n, perSecond = 300, 100.0
	const slack = 250 * time.Millisecond // 8% of the 3 s: a sender 10% too fast fails
	srv := startServer(t, smtptest.Options{})
	cfg := senderConfig(srv)
	cfg.Rate = perSecond
	got, err := deliver(t, newSender(t, cfg), addresses(n)...)
	if err != nil {
		t.Fatal(err)
	}
	for a, o := range got {
		if o.Result != campaign.Delivered {
			t.Fatalf("%s: %+v", a, o)
		}
	}
	msgs := srv.Messages()
	slices.SortFunc(msgs, func(a, b smtptest.Message) int { return a.At.Compare(b.At) })
	first, last := msgs[cfg.Concurrency].At, msgs[len(msgs)-1].At
	intervals := len(msgs) - 1 - cfg.Concurrency
	least := time.Duration(float64(intervals)/perSecond*float64(time.Second)) - slack
	t.Logf("%d messages in %v by the server's clock: %.1f a second (configured: %.0f)",
		intervals, last.Sub(first), float64(intervals)/last.Sub(first).Seconds(), perSecond)
	if last.Sub(first) < least {
		t.Errorf("the server received %d messages in %v, want at least %v at %.0f a second: the sender went faster than its rate",
			intervals, last.Sub(first), least, perSecond)
	}
	if c := srv.Stats().Connections; c != cfg.Concurrency {
		t.Errorf("got %d connections, want %d, each reused", c, cfg.Concurrency)
	}
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       smtptest.Options
		maxRetries int
		want       campaign.DeliveryResult
		reply      string
		attempts   int
	}{
		{"451 once", smtptest.Options{TempFailEvery: 1 << 30}, 3, campaign.Delivered, "250 2.0.0", 1},
		{"451 every 2nd", smtptest.Options{TempFailEvery: 2}, 3, campaign.Delivered, "250 2.0.0", 0},
		{"550 never retried", smtptest.Options{Refuse: []string{"person000@example.com"}}, 3, campaign.Refused,
			"550 5.1.1 <person000@example.com>: mailbox unavailable", 1},
		{"451 always", smtptest.Options{TempFailEvery: 1}, 3, campaign.Refused,
			"451 4.3.0 Try again later (gave up after 4 attempts)", 4},
		{"dropped always", smtptest.Options{DropEvery: 1}, 2, campaign.Refused, "connection lost: EOF (gave up after 3 attempts)", 3},
		{"closed between messages", smtptest.Options{MaxPerConnection: 1}, 0, campaign.Delivered, "250 2.0.0", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.opts)
			cfg := senderConfig(srv)
			cfg.Concurrency = 1
			cfg.MaxRetries = tc.maxRetries
			got, err := deliver(t, newSender(t, cfg), addresses(3)...)
			if err != nil {
				t.Fatal(err)
			}
			o := got["person000@example.com"]
			if o.Result != tc.want || !strings.HasPrefix(o.Reply, tc.reply) || tc.attempts > 0 && o.Attempts != tc.attempts {
				t.Errorf("got %v after %d attempts, reply %q; want %v after %d, reply %q",
					o.Result, o.Attempts, o.Reply, tc.want, tc.attempts, tc.reply)
			}
			if tc.want == campaign.Delivered {
				for a, o := range got {
					if n := len(byRecipient(srv.Messages())[a]); o.Result != campaign.Delivered || n != 1 {
						t.Errorf("%s: got %v and %d copies at the server, want delivered once", a, o.Result, n)
					}
				}
			}
		})
	}
}

// TestConnectErrors: trouble connecting stops the sender with a message
// that says what to check; nothing is marked failed.
func TestConnectErrors(t *testing.T) {
	plain := startServer(t, smtptest.Options{})
	authed := startServer(t, smtptest.Options{Users: map[string]string{"hr": "right"}})
	closed := func() (string, int) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().(*net.TCPAddr)
		ln.Close()
		return "127.0.0.1", addr.Port
	}
	for _, tc := range []struct {
		name      string
		cfg       func(c *mailer.Config)
		permanent bool
		want      string
	}{
		{"nothing listening", func(c *mailer.Config) { c.Host, c.Port = closed() }, false, "gave up after 3 attempts"},
		{"no STARTTLS", func(c *mailer.Config) { c.TLS = mailer.TLSStartTLS }, true, "does not offer STARTTLS"},
		{"implicit TLS on a plain port", func(c *mailer.Config) { c.TLS = mailer.TLSImplicit }, true, "check smtp.tls and smtp.port"},
		{"wrong password", func(c *mailer.Config) {
			c.Port, c.Username, c.Password = authed.Port, "hr", "wrong"
		}, true, "check smtp.username and the password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := senderConfig(plain)
			cfg.MaxRetries = 2
			tc.cfg(&cfg)
			got, err := deliver(t, newSender(t, cfg), addresses(5)...)
			var ce *mailer.ConnectError
			if !errors.As(err, &ce) || ce.Permanent != tc.permanent || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a ConnectError (permanent %v) saying %q", err, tc.permanent, tc.want)
			}
			for a, o := range got {
				if o.Result != campaign.Untried {
					t.Errorf("%s: got %v, want Untried: it is due again once the server is reachable", a, o.Result)
				}
			}
		})
	}
	if n := plain.Count() + authed.Count(); n != 0 {
		t.Errorf("got %d messages through, want none", n)
	}
}

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	certPEM, keyPEM := testtool.SelfSignedCert(t)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return cert, pool
}

// TestTLSAndLogin delivers over STARTTLS with AUTH PLAIN and over implicit
// TLS with AUTH LOGIN, to a server with a self-signed certificate.
func TestTLSAndLogin(t *testing.T) {
	cert, pool := selfSigned(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	for _, tc := range []struct {
		mode  string
		opts  smtptest.Options
		roots *x509.CertPool
		want  string // "" for success, else part of the error
	}{
		{mailer.TLSStartTLS, smtptest.Options{TLS: serverTLS, AuthMechanisms: []string{"PLAIN"}}, pool, ""},
		{mailer.TLSImplicit, smtptest.Options{TLS: serverTLS, ImplicitTLS: true, AuthMechanisms: []string{"LOGIN"}}, pool, ""},
		{mailer.TLSStartTLS, smtptest.Options{TLS: serverTLS}, nil, "certificate"},
	} {
		t.Run(fmt.Sprintf("%s %v", tc.mode, tc.opts.AuthMechanisms), func(t *testing.T) {
			tc.opts.Users = map[string]string{"hr@example.com": "s3cret"}
			srv := startServer(t, tc.opts)
			cfg := senderConfig(srv)
			cfg.TLS, cfg.Username, cfg.Password = tc.mode, "hr@example.com", "s3cret"
			if tc.roots != nil {
				cfg.TLSConfig = &tls.Config{RootCAs: tc.roots}
			}
			cfg.MaxRetries = 0
			got, err := deliver(t, newSender(t, cfg), addresses(5)...)
			if tc.want != "" {
				var ce *mailer.ConnectError
				if !errors.As(err, &ce) || !ce.Permanent || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want a permanent ConnectError about the %s", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for a, o := range got {
				if o.Result != campaign.Delivered {
					t.Errorf("%s: got %v (%s), want delivered", a, o.Result, o.Reply)
				}
			}
			if srv.Count() != 5 {
				t.Errorf("the server got %d messages, want 5", srv.Count())
			}
		})
	}
}
