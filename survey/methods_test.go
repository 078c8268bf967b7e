package survey_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestMethodsNotAllowed: a survey link answers GET, HEAD and POST; any
// other method gets 405 with the methods it allows, whether or not the
// token is known, and records nothing.
func TestMethodsNotAllowed(t *testing.T) {
	f := newFixture(t)
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions, http.MethodTrace} {
		for _, token := range []string{f.tokens[0], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
			req, err := http.NewRequest(method, f.srv.URL+"/s/"+token, strings.NewReader(f.someAnswers().Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp := f.do(req)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD, POST" {
				t.Errorf("%s /s/TOKEN: got %s, Allow %q; want 405, Allow \"GET, HEAD, POST\"", method, resp.Status, resp.Header.Get("Allow"))
			}
			if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s /s/TOKEN: the 405 lacks the security headers: %v", method, resp.Header)
			}
		}
	}
	if f.responded(f.tokens[0]) || len(f.responses()) != 0 {
		t.Error("a request with another method recorded a response")
	}
}

// TestDeclaredTooLarge: a POST whose Content-Length is over the limit gets
// 413 at once, before its body arrives, instead of waiting for it.
func TestDeclaredTooLarge(t *testing.T) {
	f := newFixture(t)
	u, err := url.Parse(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{100 << 10, 10 << 20} {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /s/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n",
			f.tokens[0], u.Host, size)
		// The body never comes. The server has no read timeout here, so
		// waiting for it would never end; the deadline only stops the test.
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("Content-Length %d with no body: no answer before the body (%v), want 413 at once", size, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("Content-Length %d: got %s, want 413", size, resp.Status)
		}
	}
	if f.responded(f.tokens[0]) {
		t.Error("an oversized submission was recorded")
	}
}
