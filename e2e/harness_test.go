package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// binary is the lvm-mail binary built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lvm-mail-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "lvm-mail")
	build := exec.Command("go", "build", "-o", binary, "../cmd/lvm-mail")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build lvm-mail:", err)
		os.Exit(1)
	}
	code := testtool.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// logf logs a line of what the test saw, and appends it to the file named
// by LVM_MAIL_E2E_LOG so that CI can show it.
func logf(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	if path := os.Getenv("LVM_MAIL_E2E_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fmt.Fprintf(f, "%s: %s\n", t.Name(), line)
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHTTP waits until url answers 200.
func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 20 s", url)
}

// start runs a long-lived program until the test ends.
func start(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	return testtool.Start(t, name, args...)
}

// A mailpit is a running Mailpit server.
type mailpit struct {
	smtp string // host:port
	api  string // http://host:port
}

func startMailpit(t *testing.T, extra ...string) *mailpit {
	t.Helper()
	bin := testtool.Find(t, "mailpit", "GOBIN=$PWD/.bin go install github.com/axllent/mailpit@v1.33.1", "../.bin/mailpit")
	m := &mailpit{smtp: freeAddr(t), api: "http://" + freeAddr(t)}
	args := append([]string{"--smtp", m.smtp, "--listen", strings.TrimPrefix(m.api, "http://"),
		"--disable-version-check", "--max", "0", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--database", filepath.Join(t.TempDir(), "mailpit.db")}, extra...)
	start(t, bin, args...)
	waitHTTP(t, m.api+"/readyz")
	return m
}

// A mail is one message as Mailpit received it.
type mail struct {
	ID      string
	To      string
	Subject string
	Text    string
	HTML    string
}

// messages returns every message Mailpit holds, with its text and HTML.
func (m *mailpit) messages(t *testing.T) []mail {
	t.Helper()
	var list struct {
		Messages []struct {
			ID      string
			Subject string
			To      []struct{ Address string }
		}
	}
	getJSON(t, m.api+"/api/v1/messages?limit=100000", &list)
	var out []mail
	for _, msg := range list.Messages {
		var full struct{ Text, HTML string }
		getJSON(t, m.api+"/api/v1/message/"+msg.ID, &full)
		to := ""
		if len(msg.To) > 0 {
			to = strings.ToLower(msg.To[0].Address)
		}
		out = append(out, mail{ID: msg.ID, To: to, Subject: msg.Subject, Text: full.Text, HTML: full.HTML})
	}
	return out
}

// clear deletes every message.
func (m *mailpit) clear(t *testing.T) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, m.api+"/api/v1/messages", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// lvm runs the lvm-mail binary in dir and fails the test unless it succeeds.
func lvm(t *testing.T, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("lvm-mail %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}
