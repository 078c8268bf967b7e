package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// syncBuffer is a buffer the server's goroutines may write while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is lvm-mail serve running in the background.
type running struct {
	addr           string
	stdout, stderr *syncBuffer
	stop           func() error // cancels, as SIGINT does, and returns run's error
}

// startServe runs lvm-mail serve with args and waits until it listens.
func startServe(t *testing.T, c *shell, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	full := append([]string{"lvm-mail", "--config", c.path("lvm-mail.toml"), "serve"}, args...)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, full, func(k string) string { return c.env[k] }, strings.NewReader(""), r.stdout, r.stderr)
	}()
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() { r.stop() })
	listening := regexp.MustCompile(`\(listening on (\S+)\)`)
	for {
		select {
		case err := <-done:
			t.Fatalf("serve stopped before listening: %v\n%s%s", err, r.stdout, r.stderr)
		default:
		}
		if m := listening.FindStringSubmatch(r.stdout.String()); m != nil {
			r.addr = m[1]
			return r
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// surveyDB makes a database with a campaign for two people and returns
// their tokens, as the key file beside the database makes them.
func surveyDB(t *testing.T, c *shell) []string {
	t.Helper()
	ctx := context.Background()
	s, err := campaign.Open(ctx, c.path("lvm-mail.db"), campaign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	staff := []campaign.StaffMember{
		{Email: "ann@example.com", Name: "Ann", Department: "Sales", Active: true},
		{Email: "bob@example.com", Name: "Bob", Department: "Sales", Active: true},
	}
	if _, err := s.ImportStaff(ctx, staff, campaign.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	key, err := campaign.LoadTokenKey(c.path("lvm-mail.db.key"), true, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	camp, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Pulse", Instrument: instrument.Default(), MinGroupSize: 5}, key)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.FindRecipients(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	var toks []string
	for _, r := range rs {
		toks = append(toks, r.Token(key))
	}
	return toks
}

// writeConfig writes lvm-mail.toml with the [server] settings given.
func writeConfig(c *shell, server string) {
	c.write("lvm-mail.toml", fmt.Sprintf(`organisation = "Serve Test Ltd"
database = %q
base_url = "https://survey.example.org"
[server]
%s`, c.path("lvm-mail.db"), server))
}

func TestServe(t *testing.T) {
	c := newShell(t)
	toks := surveyDB(t, c)
	// The flag wins over the config, whose address could not be used.
	writeConfig(c, `listen = "192.0.2.1:1"`)
	srv := startServe(t, c, "--listen", "127.0.0.1:0")
	if !strings.Contains(srv.stdout.String(), "Survey open at https://survey.example.org (listening on 127.0.0.1:") {
		t.Errorf("stdout %q does not say where the survey is", srv.stdout)
	}
	base := "http://" + srv.addr
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || !strings.HasPrefix(body, `{"status":"ok","database":"`) {
		t.Errorf("healthz: got %d %q", code, body)
	}
	if code, body := get("/s/" + toks[0]); code != 200 || !strings.Contains(body, "Serve Test Ltd") {
		t.Errorf("the form: got %d\n%s", code, body)
	}
	item := instrument.Default().Items[0].ID
	resp, err := client.PostForm(base+"/s/"+toks[0], url.Values{item: {"4"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("POST: got %d, want 303", resp.StatusCode)
	}

	if err := srv.stop(); err != nil {
		t.Errorf("serve after SIGINT: got %v, want a clean stop", err)
	}
	logs := srv.stderr.String()
	for _, want := range []string{"route=/s/{token}", "status=303", "stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr does not log %q:\n%s", want, logs)
		}
	}
	for _, secret := range append(toks, item) {
		if strings.Contains(logs, secret) {
			t.Errorf("stderr logs %q:\n%s", secret, logs)
		}
	}
	if _, err := net.Dial("tcp", srv.addr); err == nil {
		t.Error("still listening after stopping")
	}

	// The response is in the database for status and the report.
	st := c.status("pulse")
	if st["responded"] != float64(1) {
		t.Errorf("status after one response: %v", st)
	}
}

func TestServeTLS(t *testing.T) {
	c := newShell(t)
	toks := surveyDB(t, c)
	certPEM := selfSignedCert(t, c)
	writeConfig(c, fmt.Sprintf("listen = \"127.0.0.1:0\"\ntls_cert = %q\ntls_key = %q\n", c.path("cert.pem"), c.path("key.pem")))
	srv := startServe(t, c)

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + srv.addr + "/s/" + toks[0])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("over HTTPS: got %d with Strict-Transport-Security %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}

	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get("https://" + srv.addr + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("a TLS 1.1 client was served; want TLS 1.2 or later only")
	}
	// Once stopped, the server has logged the refused handshake, without
	// the client's address.
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	var handshake []string
	for _, line := range strings.Split(srv.stderr.String(), "\n") {
		if strings.Contains(line, "TLS handshake error") {
			handshake = append(handshake, line)
		}
	}
	if len(handshake) == 0 || strings.Contains(strings.Join(handshake, "\n"), "127.0.0.1") {
		t.Errorf("want the refused handshake logged without the client's address:\n%s", srv.stderr)
	}
}

func TestServeErrors(t *testing.T) {
	c := newShell(t)
	surveyDB(t, c)
	writeConfig(c, `listen = "127.0.0.1:0"`)
	if out := c.ok("serve", "--help"); !strings.Contains(out, "USAGE") || !strings.Contains(out, "--listen") {
		t.Errorf("serve --help:\n%s", out)
	}
	if errOut := c.fails(2, "serve", "--listen", "nowhere"); !strings.Contains(errOut, "host:port") {
		t.Errorf("bad --listen: %q", errOut)
	}
	writeConfig(c, fmt.Sprintf("listen = \"127.0.0.1:0\"\ntls_cert = %q\ntls_key = %q\n", c.path("missing.pem"), c.path("missing.key")))
	if errOut := c.fails(1, "serve"); !strings.Contains(errOut, "server.tls_cert") {
		t.Errorf("missing certificate: %q", errOut)
	}
}

// selfSignedCert writes cert.pem and key.pem for 127.0.0.1 and returns the
// certificate.
func selfSignedCert(t *testing.T, c *shell) []byte {
	t.Helper()
	certPEM, keyPEM := testtool.SelfSignedCert(t)
	c.write("cert.pem", string(certPEM))
	c.write("key.pem", string(keyPEM))
	return certPEM
}
