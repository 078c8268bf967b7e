package survey

import (
	"bytes"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
)

// logRequests logs one line per request: the method, the route pattern
// (never the path, which holds the token), the status and the duration. It
// logs no address, no query and no header.
func (h *Handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// The ServeMux sets r.Pattern on this same request.
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", route(r)),
			slog.Int("status", sw.status()),
			slog.Duration("duration", time.Since(start)))
	})
}

// route names the request's route without its method: "/s/{token}". A
// request no route matched is "(none)".
func route(r *http.Request) string {
	p := r.Pattern
	if _, path, ok := strings.Cut(p, " "); ok {
		p = path
	}
	if p == "" {
		return "(none)"
	}
	return p
}

// recoverPanics turns a panic in a handler into the 500 page and a log
// entry, instead of a dropped connection and a log line with the client's
// address.
func (h *Handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.fail(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()), view{}, nil)
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// ServerErrorLog returns a *log.Logger for http.Server.ErrorLog that passes
// the server's own messages (TLS handshake errors, broken connections) to
// logger as warnings, with every IP address replaced by "[address]": the
// server would otherwise name the client's address.
func ServerErrorLog(logger *slog.Logger) *log.Logger {
	return log.New(redactingWriter{logger}, "", 0)
}

type redactingWriter struct{ log *slog.Logger }

// addressPattern matches IPv4 and IPv6 addresses, with an optional port.
var addressPattern = regexp.MustCompile(`\[[0-9A-Fa-f:.%\w]*\](:\d+)?|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b|\b[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}\b`)

func (w redactingWriter) Write(p []byte) (int, error) {
	msg := addressPattern.ReplaceAllString(string(bytes.TrimRight(p, "\n")), "[address]")
	w.log.Warn("http server", slog.String("error", msg))
	return len(p), nil
}
