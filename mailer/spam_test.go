package mailer_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
)

// spamGoal is the highest SpamAssassin score a message may have; 5 is
// where SpamAssassin calls a message spam.
const spamGoal = 1.0

// spamScore scores a raw message with SpamAssassin's offline rules (no
// network tests, no Bayes learning) and returns the score and the report
// of the rules that fired.
func spamScore(t *testing.T, bin string, raw []byte) (float64, string) {
	t.Helper()
	prefs := filepath.Join(t.TempDir(), "user_prefs")
	if err := os.WriteFile(prefs, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-L", "-t", "-p", prefs, "--cf=use_bayes 0", "--cf=bayes_auto_learn 0")
	cmd.Stdin = bytes.NewReader(raw)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("spamassassin: %v\n%s", err, errOut.String())
	}
	m := regexp.MustCompile(`Content analysis details:\s+\((-?[0-9.]+) points`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("spamassassin printed no score:\n%s", out.String())
	}
	score, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()[strings.Index(out.String(), "Content analysis details:"):]
	return score, strings.TrimSpace(report)
}

// TestSpamAssassin scores the invitation and the reminder as a mail
// server received them, DKIM-signed, and fails above spamGoal. .ci/run
// runs it with -v, so that the scores and the rules are in CI's log.
func TestSpamAssassin(t *testing.T) {
	bin := testtool.SpamAssassin(t)
	msgs := sendSigned(t, newFixture(t, 1), testDKIM(t, "rsa")) // to Zoë Ångström
	if len(msgs) != 2 {
		t.Fatalf("the server received %d messages, want the invitation and the reminder", len(msgs))
	}
	for i, kind := range []string{"invitation", "reminder"} {
		score, report := spamScore(t, bin, msgs[i].Data)
		t.Logf("SpamAssassin scores the %s %.1f (goal: at most %.1f; spam from 5.0):\n%s", kind, score, spamGoal, report)
		if score > spamGoal {
			t.Errorf("the %s scores %.1f, above the goal of %.1f", kind, score, spamGoal)
		}
	}

	// The translated invitations, to a German, a French and a Spanish
	// speaker, score as well.
	f := newFixture(t, 3)
	f.setLanguages("de", "fr", "es")
	msgs = sendSigned(t, f, testDKIM(t, "rsa"))
	for _, m := range msgs[:3] {
		d := decode(t, m.Data)
		score, report := spamScore(t, bin, m.Data)
		t.Logf("SpamAssassin scores the invitation %q %.1f:\n%s", d.Get("Subject"), score, report)
		if score > spamGoal {
			t.Errorf("the invitation %q scores %.1f, above the goal of %.1f", d.Get("Subject"), score, spamGoal)
		}
	}
	langs := []string{langOf(t, msgs[0]), langOf(t, msgs[1]), langOf(t, msgs[2])}
	if slices.Sort(langs); strings.Join(langs, " ") != "de es fr" {
		t.Errorf("the invitations were in %v, want de, es and fr", langs)
	}

	// The scorer's rules are loaded and the goal can be missed: the same
	// invitation without its Date and Message-ID scores above it.
	head, body, _ := bytes.Cut(msgs[0].Data, []byte("\r\n\r\n"))
	var kept [][]byte
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		if !bytes.HasPrefix(line, []byte("Date:")) && !bytes.HasPrefix(line, []byte("Message-ID:")) {
			kept = append(kept, line)
		}
	}
	stripped := append(append(bytes.Join(kept, []byte("\r\n")), "\r\n\r\n"...), body...)
	if score, report := spamScore(t, bin, stripped); score <= spamGoal {
		t.Errorf("the invitation without Date and Message-ID scores %.1f, not above %.1f: are SpamAssassin's rules loaded?\n%s", score, spamGoal, report)
	}
}

// langOf returns the language the HTML part of a message is marked with.
func langOf(t *testing.T, m smtptest.Message) string {
	t.Helper()
	match := regexp.MustCompile(`<html lang="([^"]+)">`).FindStringSubmatch(decode(t, m.Data).HTML)
	if match == nil {
		return ""
	}
	return match[1]
}
