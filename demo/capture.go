package demo

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// A Capture is an SMTP server on loopback that accepts every message and
// writes it, as received, to an .eml file in its folder. It stands in for
// the organisation's mail server in the demo.
type Capture struct {
	dir    string
	server *smtp.Server
	ln     net.Listener

	mu       sync.Mutex
	messages []Message
}

// A Message is one captured email.
type Message struct {
	To   []string
	Data []byte
	File string
}

// StartCapture listens on a free loopback port and writes messages to dir.
func StartCapture(dir string) (*Capture, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("start mail capture: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start mail capture: %w", err)
	}
	c := &Capture{dir: dir, ln: ln}
	c.server = smtp.NewServer(c)
	c.server.Domain = "localhost"
	c.server.ReadTimeout = 30 * time.Second
	c.server.WriteTimeout = 30 * time.Second
	c.server.MaxMessageBytes = 1 << 20
	c.server.AllowInsecureAuth = true
	go c.server.Serve(ln)
	return c, nil
}

// Addr returns the host:port the server listens on.
func (c *Capture) Addr() string { return c.ln.Addr().String() }

// Messages returns the messages captured so far, in order of arrival.
func (c *Capture) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.messages...)
}

// Close stops the server.
func (c *Capture) Close() error { return c.server.Close() }

// NewSession implements smtp.Backend.
func (c *Capture) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{capture: c}, nil }

type session struct {
	capture *Capture
	to      []string
}

func (s *session) Reset()        { s.to = nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	c := s.capture
	c.mu.Lock()
	defer c.mu.Unlock()
	file := filepath.Join(c.dir, fmt.Sprintf("%04d.eml", len(c.messages)+1))
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return err
	}
	c.messages = append(c.messages, Message{To: s.to, Data: buf.Bytes(), File: file})
	return nil
}
