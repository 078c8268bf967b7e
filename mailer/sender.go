package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
	"golang.org/x/time/rate"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// TLS modes of Config.TLS.
const (
	TLSStartTLS = "starttls" // STARTTLS, mandatory (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption
)

// Config configures a Sender.
type Config struct {
	Host         string
	Port         int
	TLS          string      // TLSStartTLS (the default), TLSImplicit or TLSNone
	TLSConfig    *tls.Config // nil: the system's roots, checked against Host
	Username     string      // empty: no SMTP AUTH
	Password     string
	Concurrency  int              // parallel connections, each reused; at least 1
	Rate         float64          // messages a second over all connections; 0: no limit
	MaxRetries   int              // retries of a temporary failure
	RetryBackoff time.Duration    // the first wait before a retry; doubles each time
	Timeout      time.Duration    // for each step of the SMTP conversation
	Now          func() time.Time // stamps outcomes; nil: time.Now
}

// A Sender delivers messages over SMTP: Concurrency workers, each holding
// one connection that it reuses for message after message and redials when
// it drops; one token bucket limits the rate over all of them. Temporary
// failures (4xx replies, dropped connections, timeouts) are retried with
// exponential backoff; permanent ones (5xx) are reported with the
// server's reply and never retried.
type Sender struct {
	cfg     Config
	limiter *rate.Limiter
	logger  *slog.Logger
}

// NewSender checks cfg and returns a Sender. It connects to nothing until
// Run. It returns an error naming the setting that cannot work.
func NewSender(cfg Config, logger *slog.Logger) (*Sender, error) {
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("smtp.tls %q is not one of starttls, tls, none", cfg.TLS)
	}
	switch {
	case cfg.Host == "":
		return nil, errors.New("smtp.host is empty: name your mail server")
	case cfg.Port < 1 || cfg.Port > 65535:
		return nil, fmt.Errorf("smtp.port %d is not a port number", cfg.Port)
	case cfg.Rate < 0:
		return nil, errors.New("smtp.rate must not be negative (0 means no limit)")
	case cfg.MaxRetries < 0:
		return nil, errors.New("smtp.max_retries must not be negative")
	case cfg.RetryBackoff <= 0:
		return nil, errors.New("smtp.retry_backoff must be positive")
	case cfg.Timeout <= 0:
		return nil, errors.New("smtp.timeout must be positive")
	}
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	limit := rate.Inf
	if cfg.Rate > 0 {
		limit = rate.Limit(cfg.Rate)
	}
	// A burst of one spaces the messages evenly from the first one on.
	return &Sender{cfg: cfg, limiter: rate.NewLimiter(limit, 1), logger: logger}, nil
}

// Concurrency returns the number of connections the Sender opens.
func (s *Sender) Concurrency() int { return s.cfg.Concurrency }

// A Job is one message to deliver.
type Job struct {
	Msg         *mail.Msg
	To          string // the envelope recipient, for logs and summaries
	RecipientID int64
	Kind        campaign.MessageKind

	release func()       // frees the rendered bodies once Msg is done with
	start   func() error // records that its SMTP transaction begins; may be nil
}

// An Outcome is how a Job ended.
type Outcome struct {
	Job      *Job
	Result   campaign.DeliveryResult
	Reply    string    // the server's last reply, or what went wrong
	Attempts int       // SMTP transactions tried
	At       time.Time // when the server accepted the message
	// Err is set on the job that was in hand when the Sender gave up
	// altogether (see ConnectError), or whose start could not be recorded;
	// its Result is Untried.
	Err error

	dropped int // with no Job: recipients a Run's claim left out, no longer due
}

// A ConnectError means the Sender could not open a usable connection to
// the server: the address, TLS or login is wrong, or the server stayed
// unreachable through every retry. Nothing was sent on it.
type ConnectError struct {
	Addr      string
	Attempts  int
	Permanent bool // retrying cannot help: a 5xx reply, TLS or login trouble
	Err       error
}

// Error says what failed and what to check.
func (e *ConnectError) Error() string {
	var hint string
	var tp *textproto.Error
	switch {
	case strings.Contains(e.Err.Error(), "STARTTLS"):
		hint = `the server does not offer STARTTLS: use smtp.tls = "tls" for implicit TLS (usually port 465), or "none" only for a relay on a network you trust`
	case strings.Contains(e.Err.Error(), "AUTH") || errors.As(e.Err, &tp) && tp.Code == 535:
		hint = "check smtp.username and the password (" + "LVM_MAIL_SMTP_PASSWORD or smtp.password_file)"
	case isTLSError(e.Err):
		hint = "check smtp.tls and smtp.port (implicit TLS is usually port 465, STARTTLS port 587) and the server's certificate"
	case e.Permanent:
		hint = "check smtp.host, smtp.port and smtp.tls"
	default:
		hint = fmt.Sprintf("gave up after %d attempts; check smtp.host and smtp.port and that the server is reachable, then run the command again", e.Attempts)
	}
	return fmt.Sprintf("connect to SMTP server %s: %v (%s)", e.Addr, e.Err, hint)
}

// Unwrap returns the error of the last attempt.
func (e *ConnectError) Unwrap() error { return e.Err }

// Run delivers the jobs it receives until jobs is closed, and sends one
// Outcome for each job to outcomes. When ctx is cancelled, messages already
// handed to the server are finished and every other job comes back
// Untried. When no usable connection can be made (a *ConnectError), the
// job in hand comes back Untried with Err set, so do all later jobs, and
// Run returns that error once jobs is closed.
func (s *Sender) Run(ctx context.Context, jobs <-chan *Job, outcomes chan<- Outcome) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var fatal error
	for range s.cfg.Concurrency {
		wg.Go(func() {
			w := &worker{s: s}
			defer w.close()
			for job := range jobs {
				if ctx.Err() != nil {
					outcomes <- Outcome{Job: job, Result: campaign.Untried}
					continue
				}
				out, err := w.deliver(ctx, job)
				if err != nil {
					mu.Lock()
					if fatal == nil {
						fatal = err
					}
					mu.Unlock()
					out.Err = err
					cancel(err)
				}
				outcomes <- out
			}
		})
	}
	wg.Wait()
	return fatal
}

// worker delivers messages over one connection at a time.
type worker struct {
	s      *Sender
	client *mail.Client
	conn   *smtp.Client // nil when not connected
	raw    net.Conn     // the connection being dialled, to close on failure
	used   bool         // conn has carried a message
}

func (w *worker) addr() string { return net.JoinHostPort(w.s.cfg.Host, strconv.Itoa(w.s.cfg.Port)) }

func (w *worker) newClient() (*mail.Client, error) {
	cfg := w.s.cfg
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
		if tlsConfig.ServerName == "" {
			tlsConfig.ServerName = cfg.Host
		}
	}
	dialer := &net.Dialer{}
	opts := []mail.Option{
		mail.WithPort(cfg.Port),
		mail.WithTimeout(cfg.Timeout),
		mail.WithTLSConfig(tlsConfig),
		// Every message ends its transaction with the final reply to DATA,
		// so neither a NOOP before it nor a RSET after it is needed: a
		// connection found closed at MAIL FROM is redialled.
		mail.WithoutNoop(),
		mail.WithoutRset(),
		// Dial here, so that a connection whose greeting, STARTTLS or login
		// fails can be closed; with implicit TLS, dial TLS here too.
		mail.WithDialContextFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
			var c net.Conn
			var err error
			if cfg.TLS == TLSImplicit {
				c, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, network, addr)
			} else {
				c, err = dialer.DialContext(ctx, network, addr)
			}
			w.raw = c
			return c, err
		}),
	}
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if cfg.Username != "" {
		// Choose PLAIN or LOGIN explicitly: go-mail's auto-discovery skips
		// them without TLS. Both refuse to send the password in the clear
		// to anything but localhost.
		opts = append(opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return mail.NewClient(cfg.Host, opts...)
}

// connect makes sure the worker has a connection, dialling with retries.
// It returns ctx's error when cancelled and a *ConnectError when it gives
// up.
func (w *worker) connect(ctx context.Context) error {
	if w.conn != nil {
		return nil
	}
	if w.client == nil {
		c, err := w.newClient()
		if err != nil {
			return &ConnectError{Addr: w.addr(), Permanent: true, Err: err}
		}
		w.client = c
	}
	for attempt := 1; ; attempt++ {
		sc, err := w.client.DialToSMTPClientWithContext(ctx)
		if err == nil {
			w.conn, w.raw, w.used = sc, nil, false
			return nil
		}
		if w.raw != nil {
			w.raw.Close()
			w.raw = nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if permanentConnectError(err) {
			return &ConnectError{Addr: w.addr(), Attempts: attempt, Permanent: true, Err: err}
		}
		if attempt > w.s.cfg.MaxRetries {
			return &ConnectError{Addr: w.addr(), Attempts: attempt, Err: err}
		}
		wait := w.s.backoff(attempt)
		w.s.logger.Info("cannot connect to the SMTP server; retrying", "server", w.addr(), "error", err, "in", wait)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// drop closes the connection without a goodbye: it is broken or unusable.
func (w *worker) drop() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// close says goodbye to the server and closes the connection.
func (w *worker) close() {
	if w.conn != nil {
		if err := w.client.CloseWithSMTPClient(w.conn); err != nil {
			w.conn.Close()
		}
		w.conn = nil
	}
}

// deliver sends one message, retrying temporary failures. A non-nil error
// is a *ConnectError, or the failure to record that the message's
// transaction begins: the worker cannot go on.
func (w *worker) deliver(ctx context.Context, job *Job) (Outcome, error) {
	out := Outcome{Job: job, Result: campaign.Untried}
	redialled := false
	for {
		if err := w.connect(ctx); err != nil {
			var ce *ConnectError
			if errors.As(err, &ce) {
				return out, err
			}
			return out, nil // cancelled
		}
		if err := w.s.limiter.Wait(ctx); err != nil {
			return out, nil // cancelled
		}
		wasUsed := w.used
		w.used = true
		out.Attempts++
		reply, err := w.transact(job)
		if err == nil {
			out.Result, out.Reply, out.At = campaign.Delivered, reply, w.s.cfg.Now()
			return out, nil
		}
		var se *startError
		if errors.As(err, &se) {
			w.drop()
			return out, se.err
		}
		f := classify(err)
		out.Reply = f.reply
		if f.drop {
			w.drop()
		}
		switch {
		case f.permanent:
			out.Result = campaign.Refused
			w.s.logger.Info("the server refused a message", "to", job.To, "reply", f.reply)
			return out, nil
		case f.beforeMail && wasUsed && !redialled:
			// The server had closed the idle connection: nothing was sent.
			// Redial and try again at once, this time only.
			redialled = true
			out.Attempts--
			continue
		case out.Attempts > w.s.cfg.MaxRetries:
			out.Result = campaign.Refused
			out.Reply = fmt.Sprintf("%s (gave up after %d attempts)", f.reply, out.Attempts)
			w.s.logger.Info("gave up on a message", "to", job.To, "reply", out.Reply)
			return out, nil
		}
		wait := w.s.backoff(out.Attempts)
		w.s.logger.Info("temporary failure; retrying", "to", job.To, "reply", f.reply, "in", wait)
		if err := sleep(ctx, wait); err != nil {
			return out, nil // cancelled: the message stays due
		}
	}
}

// An smtpStage is the step of an SMTP transaction that failed.
type smtpStage int

const (
	stageMail smtpStage = iota // MAIL FROM
	stageRcpt                  // RCPT TO
	stageData                  // DATA, the message, and the final reply
)

// A txError is an SMTP transaction that failed at a stage: a reply from
// the server (a *textproto.Error) or a broken connection.
type txError struct {
	stage smtpStage
	err   error
}

func (e *txError) Error() string { return e.err.Error() }
func (e *txError) Unwrap() error { return e.err }

// A startError means the start of a delivery could not be recorded, so its
// DATA was not sent.
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }

// transact runs one SMTP transaction for the job's message on the worker's
// connection and returns the server's final reply. It is go-mail's
// SendWithSMTPClient with one step more: once the server has accepted the
// envelope (MAIL FROM and RCPT TO), and before DATA, it records that the
// message's transaction begins (job.start). A crash before that leaves the
// message due again, and only a message the server may have received is
// ever of unknown fate. Every transaction ends with the final reply to
// DATA, or with RSET after a refusal, so the connection is ready for the
// next one.
func (w *worker) transact(job *Job) (string, error) {
	c, m := w.conn, job.Msg
	from, err := m.GetSender(false)
	if err != nil {
		return "", &txError{stageMail, err}
	}
	rcpts, err := m.GetRecipients()
	if err != nil {
		return "", &txError{stageRcpt, err}
	}
	// Every step of the conversation has Timeout from here, as go-mail's
	// own send sets it: the deadline set when dialling has long passed on
	// a connection that carries message after message.
	if err := c.UpdateDeadline(w.s.cfg.Timeout); err != nil {
		return "", &txError{stageMail, err}
	}
	if err := c.Mail(from); err != nil {
		c.Reset()
		return "", &txError{stageMail, err}
	}
	for _, rcpt := range rcpts {
		if err := c.Rcpt(rcpt); err != nil {
			c.Reset()
			return "", &txError{stageRcpt, err}
		}
	}
	if job.start != nil {
		if err := job.start(); err != nil {
			c.Reset()
			return "", &startError{fmt.Errorf("record the start of a delivery: %w", err)}
		}
		job.start = nil // a retry is the same delivery
		if err := c.UpdateDeadline(w.s.cfg.Timeout); err != nil {
			return "", &txError{stageData, err}
		}
	}
	wc, err := c.Data()
	if err != nil {
		return "", &txError{stageData, err}
	}
	if _, err := m.WriteTo(wc); err != nil {
		return "", &txError{stageData, err}
	}
	if err := wc.Close(); err != nil {
		return "", &txError{stageData, err}
	}
	reply := "250"
	if dc, ok := wc.(*smtp.DataCloser); ok {
		if r := dc.ServerResponse(); r != "" {
			reply += " " + r
		}
	}
	return cleanReply(reply), nil
}

// backoff is the wait before retry n (from 1): RetryBackoff doubled n-1
// times, at most an hour.
func (s *Sender) backoff(n int) time.Duration {
	d := s.cfg.RetryBackoff
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failure is what a failed SMTP transaction means for the message.
type failure struct {
	reply      string // the server's reply, or the error
	permanent  bool   // never retry
	drop       bool   // the connection is unusable
	beforeMail bool   // the connection failed before MAIL FROM was answered
}

// classify sorts a failed transaction the way gophish does: a 5xx reply
// is permanent, a 4xx reply temporary, and anything else (a dropped
// connection, a timeout) means reconnect and retry.
func classify(err error) failure {
	var tx *txError
	if !errors.As(err, &tx) {
		return failure{reply: "connection lost: " + cleanReply(err.Error()), drop: true}
	}
	var tp *textproto.Error
	switch {
	case errors.As(tx.err, &tp) && tp.Code >= 500:
		return failure{reply: replyOf(tp), permanent: true}
	case errors.As(tx.err, &tp) && tp.Code >= 400:
		return failure{reply: replyOf(tp), drop: tp.Code == 421} // 421: the server is closing the connection
	case errors.As(tx.err, &tp):
		return failure{reply: "connection lost: " + replyOf(tp), drop: true}
	case tx.stage == stageMail && isNetError(tx.err):
		return failure{reply: "connection lost: " + cleanReply(tx.err.Error()), drop: true, beforeMail: true}
	case tx.stage != stageData && !isNetError(tx.err):
		return failure{reply: "not sent: " + cleanReply(tx.err.Error()), permanent: true} // the message itself is wrong
	}
	return failure{reply: "connection lost: " + cleanReply(tx.err.Error()), drop: true}
}

// isNetError reports whether err is the connection failing rather than the
// server or the message.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// replyOf writes a server's reply as status and report show it:
// "550 5.1.1 <ann@example.com>: mailbox unavailable".
func replyOf(tp *textproto.Error) string {
	return cleanReply(fmt.Sprintf("%d %s", tp.Code, tp.Msg))
}

// cleanReply makes a reply fit a terminal: one line, no control characters.
func cleanReply(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == ' ' }), " ")
}

// permanentConnectError reports whether a failure to connect will not go
// away by itself: a 5xx reply, or trouble with TLS or the login. Network
// errors, timeouts and 4xx replies are temporary.
func permanentConnectError(err error) bool {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code >= 500
	}
	if isTLSError(err) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return false
	}
	return true // STARTTLS missing, no AUTH mechanism in common, …
}

func isTLSError(err error) bool {
	var (
		cv  *tls.CertificateVerificationError
		rh  tls.RecordHeaderError
		al  tls.AlertError
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		inv x509.CertificateInvalidError
	)
	return errors.As(err, &cv) || errors.As(err, &rh) || errors.As(err, &al) ||
		errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &inv)
}

// SendOne delivers a single message over a connection of its own, with
// the same retries as Run, and closes the connection. It returns a
// *ConnectError when it cannot connect.
func (s *Sender) SendOne(ctx context.Context, job *Job) (Outcome, error) {
	w := &worker{s: s}
	defer w.close()
	return w.deliver(ctx, job)
}
