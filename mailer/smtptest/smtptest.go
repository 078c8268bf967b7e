// Package smtptest runs an SMTP server on loopback that keeps the messages
// it accepts, for tests and for lvm-mail demo. Like net/http/httptest, it
// is a real server: clients talk real SMTP to it over TCP. It can be made
// hostile: answer 451 to every Nth DATA, drop every Nth connection in the
// middle of DATA, refuse chosen mailboxes with 550, or answer slowly.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options shape the server's behaviour. The zero value accepts everything.
type Options struct {
	// TempFailEvery answers "451 4.3.0" to every Nth DATA command,
	// counted over all connections; 0: never.
	TempFailEvery int
	// DropEvery closes every Nth connection in the middle of its first
	// DATA, after reading part of the message; 0: never.
	DropEvery int
	// Refuse lists mailboxes answered "550 5.1.1" at RCPT TO.
	Refuse []string
	// MaxPerConnection closes a connection, without a reply, when a client
	// starts another message after this many; 0: no limit. Servers that
	// limit messages per connection or close idle ones look like this.
	MaxPerConnection int
	// Delay is how long the server takes to accept each message.
	Delay time.Duration
	// TLS offers STARTTLS with this configuration; nil: plain only.
	TLS *tls.Config
	// ImplicitTLS speaks TLS from the first byte (needs TLS).
	ImplicitTLS bool
	// Users enables SMTP AUTH with these names and passwords, and then
	// refuses mail from clients that have not logged in.
	Users map[string]string
	// AuthMechanisms are the AUTH mechanisms offered with Users: PLAIN,
	// LOGIN or both; nil: both.
	AuthMechanisms []string
	// Now timestamps accepted messages; nil: time.Now.
	Now func() time.Time
	// Discard keeps no message content (for benchmarks): Messages returns
	// the envelopes only.
	Discard bool
}

// A Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte    // as received, CRLF line ends; nil with Options.Discard
	At   time.Time // by the server's clock, when it answered 250
	Conn int       // which connection (from 1) carried it
}

// A Server is a running SMTP server. Its methods are safe for concurrent
// use.
type Server struct {
	Addr string // host:port
	Host string
	Port int

	opts   Options
	srv    *smtp.Server
	ln     net.Listener
	served chan struct{}

	mu       sync.Mutex
	messages []Message
	rcpts    []string // accepted at RCPT TO, in order
	conns    int
	datas    int
	refused  int
	tempFail int
	dropped  int
	notify   []chan struct{}
}

// Start starts a server on 127.0.0.1 on a free port.
func Start(opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ImplicitTLS && opts.TLS == nil {
		return nil, errors.New("smtptest: ImplicitTLS needs TLS")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtptest: %w", err)
	}
	if opts.ImplicitTLS {
		ln = tls.NewListener(ln, opts.TLS)
	}
	s := &Server{opts: opts, ln: ln, served: make(chan struct{})}
	s.Addr = ln.Addr().String()
	tcp := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = tcp.IP.String(), tcp.Port

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = opts.TLS == nil
	if !opts.ImplicitTLS {
		srv.TLSConfig = opts.TLS
	}
	s.srv = srv
	go func() {
		defer close(s.served)
		srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server and closes every connection.
func (s *Server) Close() error {
	err := s.srv.Close()
	// Serve may not have registered the listener with srv yet, in which
	// case srv.Close cannot close it: close it here, or Serve never returns.
	s.ln.Close()
	<-s.served
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Messages returns a copy of the messages accepted so far, in the order
// they were accepted.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Recipients returns every address accepted at RCPT TO so far, in order:
// each transaction that got that far, whether or not its message was then
// accepted. Reset does not forget them.
func (s *Server) Recipients() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rcpts...)
}

// Count returns the number of messages accepted so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Reset forgets the messages accepted so far; the counters of DATA
// commands and connections go on.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

// Stats counts what the server has done.
type Stats struct {
	Connections int // connections accepted
	Datas       int // DATA commands
	TempFailed  int // DATA answered 451
	Dropped     int // connections dropped mid-DATA
	Refused     int // RCPT TO answered 550
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Connections: s.conns, Datas: s.datas, TempFailed: s.tempFail, Dropped: s.dropped, Refused: s.refused}
}

// WaitFor returns a channel that is closed once the server has accepted at
// least n messages.
func (s *Server) WaitFor(n int) <-chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.messages) >= n {
		close(ch)
		return ch
	}
	go func() {
		for {
			s.mu.Lock()
			if len(s.messages) >= n {
				s.mu.Unlock()
				close(ch)
				return
			}
			wake := make(chan struct{})
			s.notify = append(s.notify, wake)
			s.mu.Unlock()
			<-wake
		}
	}()
	return ch
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns++
	return &session{s: s, c: c, conn: s.conns}, nil
}

type session struct {
	s        *Server
	c        *smtp.Conn
	conn     int
	authed   bool
	from     string
	to       []string
	gotDatas int
	accepted int
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	switch {
	case ss.s.opts.Users == nil:
		return nil
	case ss.s.opts.AuthMechanisms != nil:
		return ss.s.opts.AuthMechanisms
	}
	return []string{sasl.Plain, sasl.Login}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if want, ok := ss.s.opts.Users[user]; !ok || want != pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.authed = true
		return nil
	}
	if !slices.Contains(ss.AuthMechanisms(), mech) {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Users != nil && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if max := ss.s.opts.MaxPerConnection; max > 0 && ss.accepted >= max {
		ss.c.Conn().Close()
		return errors.New("smtptest: connection closed")
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range ss.s.opts.Refuse {
		if strings.EqualFold(r, to) {
			ss.s.mu.Lock()
			ss.s.refused++
			ss.s.mu.Unlock()
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: mailbox unavailable"}
		}
	}
	ss.to = append(ss.to, to)
	ss.s.mu.Lock()
	ss.s.rcpts = append(ss.s.rcpts, to)
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Data(r io.Reader) error {
	s := ss.s
	ss.gotDatas++
	s.mu.Lock()
	s.datas++
	n := s.datas
	drop := s.opts.DropEvery > 0 && ss.conn%s.opts.DropEvery == 0 && ss.gotDatas == 1
	fail := !drop && s.opts.TempFailEvery > 0 && n%s.opts.TempFailEvery == 0
	if drop {
		s.dropped++
	}
	if fail {
		s.tempFail++
	}
	s.mu.Unlock()

	if drop {
		io.ReadFull(r, make([]byte, 64)) // part of the message, then hang up
		ss.c.Conn().Close()
		return errors.New("smtptest: connection dropped")
	}
	var buf bytes.Buffer
	var err error
	if s.opts.Discard {
		_, err = io.Copy(io.Discard, r)
	} else {
		_, err = io.Copy(&buf, r)
	}
	if err != nil {
		return err
	}
	if fail {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	if s.opts.Delay > 0 {
		time.Sleep(s.opts.Delay)
	}
	ss.accepted++
	m := Message{From: ss.from, To: append([]string(nil), ss.to...), At: s.opts.Now(), Conn: ss.conn}
	if !s.opts.Discard {
		m.Data = buf.Bytes()
	}
	s.mu.Lock()
	s.messages = append(s.messages, m)
	wake := s.notify
	s.notify = nil
	s.mu.Unlock()
	for _, w := range wake {
		close(w)
	}
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	check    func(user, pass string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step++
		if response != nil { // an initial response carries the user name
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.username, string(response))
	}
}
