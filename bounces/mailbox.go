package bounces

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TLS modes of Mailbox.TLS.
const (
	TLSImplicit = "tls"      // TLS from the first byte (port 993)
	TLSStartTLS = "starttls" // STARTTLS, mandatory (port 143)
	TLSNone     = "none"     // no encryption
)

// ProcessedKeyword is the IMAP keyword set on a report once it is
// recorded, so that the next run does not read it again.
const ProcessedKeyword = "$LvmMailProcessed"

// DefaultTimeout bounds a whole session with the IMAP server.
const DefaultTimeout = 5 * time.Minute

// maxMessage is the largest message read; a larger one is not a bounce of
// ours (those are a few kilobytes) and is left alone.
const maxMessage = 1 << 20

// A Mailbox is the IMAP folder the bounces come back to.
type Mailbox struct {
	Host      string
	Port      int
	TLS       string // TLSImplicit (the default), TLSStartTLS or TLSNone
	Username  string
	Password  string
	Folder    string
	TLSConfig *tls.Config   // nil: the system's roots, checked against Host
	Timeout   time.Duration // for the whole session; 0: DefaultTimeout
}

func (m Mailbox) addr() string { return net.JoinHostPort(m.Host, strconv.Itoa(m.Port)) }

// session is a logged-in connection with the folder selected.
type session struct {
	c        *imapclient.Client
	stop     func() bool
	keywords bool // the folder keeps keywords such as ProcessedKeyword
}

// open connects, logs in and selects the folder. Errors say which step
// failed and what to check.
func (m Mailbox) open(ctx context.Context) (*session, error) {
	if m.Host == "" {
		return nil, errors.New("bounces.host is empty: name the IMAP server of the mailbox that bounces come back to")
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tlsConfig := &tls.Config{ServerName: m.Host, MinVersion: tls.VersionTLS12}
	if m.TLSConfig != nil {
		tlsConfig = m.TLSConfig.Clone()
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", m.addr())
	if err != nil {
		return nil, fmt.Errorf("connect to IMAP server %s: %w (check bounces.host and bounces.port)", m.addr(), err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(step string, err error, hint string) (*session, error) {
		stop()
		conn.Close()
		return nil, fmt.Errorf("%s on IMAP server %s: %w (%s)", step, m.addr(), err, hint)
	}
	var c *imapclient.Client
	switch m.TLS {
	case TLSImplicit, "":
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("TLS", err, "check bounces.tls and bounces.port: implicit TLS is usually port 993, STARTTLS port 143")
		}
		c = imapclient.New(tc, nil)
	case TLSStartTLS:
		if c, err = imapclient.NewStartTLS(conn, &imapclient.Options{TLSConfig: tlsConfig}); err != nil {
			return fail("STARTTLS", err, "check bounces.tls and bounces.port")
		}
	case TLSNone:
		c = imapclient.New(conn, nil)
	default:
		return fail("connect", fmt.Errorf("bounces.tls %q is not one of tls, starttls, none", m.TLS), "fix bounces.tls")
	}
	s := &session{c: c, stop: stop}
	if err := c.WaitGreeting(); err != nil {
		s.close()
		return nil, fmt.Errorf("greeting of IMAP server %s: %w", m.addr(), err)
	}
	if err := c.Login(m.Username, m.Password).Wait(); err != nil {
		s.close()
		return nil, fmt.Errorf("log in to IMAP server %s as %q: %w (check bounces.username and LVM_MAIL_BOUNCES_PASSWORD or bounces.password_file)",
			m.addr(), m.Username, err)
	}
	sel, err := c.Select(m.Folder, nil).Wait()
	if err != nil {
		s.close()
		return nil, fmt.Errorf("open folder %q on IMAP server %s: %w (check bounces.folder)", m.Folder, m.addr(), err)
	}
	s.keywords = slices.Contains(sel.PermanentFlags, imap.FlagWildcard) || slices.Contains(sel.PermanentFlags, imap.Flag(ProcessedKeyword))
	return s, nil
}

// candidates returns the messages not yet processed: those without
// ProcessedKeyword, or all of them where the folder keeps no keywords.
func (s *session) candidates() ([]imap.UID, error) {
	criteria := &imap.SearchCriteria{}
	if s.keywords {
		criteria.NotFlag = []imap.Flag{ProcessedKeyword}
	}
	data, err := s.c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search the bounce folder: %w", err)
	}
	return data.AllUIDs(), nil
}

// A fetched message is one message of the folder; Raw is nil when it is
// larger than maxMessage.
type fetched struct {
	UID imap.UID
	Raw []byte
}

// fetch reads the messages uids without marking them read (BODY.PEEK).
func (s *session) fetch(uids []imap.UID) ([]fetched, error) {
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: maxMessage}}
	msgs, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true,
		BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("read the bounce folder: %w", err)
	}
	out := make([]fetched, 0, len(msgs))
	for _, m := range msgs {
		f := fetched{UID: m.UID}
		if m.RFC822Size <= maxMessage {
			f.Raw = m.FindBodySection(section)
		}
		out = append(out, f)
	}
	return out, nil
}

// markProcessed sets ProcessedKeyword on the messages uids.
func (s *session) markProcessed(uids []imap.UID) error {
	if len(uids) == 0 || !s.keywords {
		return nil
	}
	err := s.c.Store(imap.UIDSetNum(uids...), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
		Flags: []imap.Flag{ProcessedKeyword}}, nil).Close()
	if err != nil {
		return fmt.Errorf("flag the processed bounces: %w", err)
	}
	return nil
}

// close logs out and closes the connection.
func (s *session) close() {
	s.c.Logout().Wait()
	s.c.Close()
	s.stop()
}
