package bounces_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/bounces"
	"github.com/lvm-mail/lvm-mail/campaign"
)

const (
	testID        = "lvm-mail.invitation.r17.c3-1793347200@example.com"
	testRecipient = "nobody@example.org"
)

// sample reads a report from testdata/ with its placeholders filled in:
// the Message-ID and the recipient of the message that bounced, and the
// message itself.
func sample(t testing.TB, name, id, recipient, original string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{MESSAGE-ID}}", id, "{{RECIPIENT}}", recipient, "{{ORIGINAL}}", original).Replace(string(b)))
}

func original(id string) string {
	return "From: \"People Team\" <people@example.com>\nTo: " + testRecipient + "\nMessage-ID: <" + id + ">\n" +
		"Subject: How is Example Ltd led and managed?\n\nHello,\n"
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		file      string
		form      string
		status    string
		permanent bool
		diag      string // a phrase of the diagnostic
		recipient string
	}{
		{"postfix-dsn.eml", "RFC 3464", "5.1.1", true, "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown", testRecipient},
		{"postfix-delayed.eml", "RFC 3464", "4.2.2", false, "452 4.2.2 <nobody@example.org>: Mailbox full", testRecipient},
		{"exchange-ndr.eml", "Exchange NDR", "5.1.10", true, "RESOLVER.ADR.RecipientNotFound", ""},
		{"gmail-ndr.eml", "Gmail NDR", "5.1.1", true, "The email account that you tried to reach does not exist", testRecipient},
		{"exim-bounce.eml", "plain-text bounce", "5.2.1", true, "550 5.2.1 Mailbox disabled", testRecipient},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r, err := bounces.Parse(sample(t, tc.file, testID, testRecipient, original(testID)))
			if err != nil {
				t.Fatal(err)
			}
			if r.Form != tc.form || r.Status != tc.status || r.Permanent != tc.permanent || r.Recipient != tc.recipient {
				t.Errorf("got form %q status %q permanent %v recipient %q; want %q %q %v %q",
					r.Form, r.Status, r.Permanent, r.Recipient, tc.form, tc.status, tc.permanent, tc.recipient)
			}
			if !strings.Contains(r.Diagnostic, tc.diag) || strings.ContainsAny(r.Diagnostic, "\r\n") {
				t.Errorf("diagnostic %q, want one line with %q", r.Diagnostic, tc.diag)
			}
			ref, ok := r.Message()
			if !ok || ref.RecipientID != 17 || ref.CampaignID != 3 || ref.Kind != campaign.Invitation {
				t.Errorf("message %+v (%v) from IDs %q, want recipient 17 of campaign 3", ref, ok, r.MessageIDs)
			}
			if !strings.HasPrefix(r.Key, "mid:") || strings.Contains(r.Key, testID) {
				t.Errorf("key %q: want the report's own Message-ID", r.Key)
			}
		})
	}
}

func TestParseNotBounces(t *testing.T) {
	for _, file := range []string{"out-of-office.eml", "delivered-dsn.eml"} {
		if _, err := bounces.Parse(sample(t, file, testID, testRecipient, "")); !errors.Is(err, bounces.ErrNotBounce) {
			t.Errorf("%s: got %v, want ErrNotBounce", file, err)
		}
	}
	for name, raw := range map[string]string{
		"a person's reply": "From: Ann <ann@example.org>\nTo: people@example.com\nSubject: Re: survey\nIn-Reply-To: <" + testID + ">\n\nWhat is 5.1.1?\n",
		"read receipt": "From: ann@example.org\nSubject: Read: survey\nContent-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n" +
			"--b\nContent-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; ann@example.org\nDisposition: manual-action/MDN-sent-manually; displayed\n--b--\n",
	} {
		if _, err := bounces.Parse([]byte(raw)); !errors.Is(err, bounces.ErrNotBounce) {
			t.Errorf("%s: got %v, want ErrNotBounce", name, err)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	for name, raw := range map[string][]byte{
		"no status code": sample(t, "no-status.eml", testID, testRecipient, ""),
		"no header":      []byte("this is not a message at all"),
		"broken MIME": []byte("Return-Path: <>\nFrom: MAILER-DAEMON@x\nSubject: Undelivered Mail\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=zz\n\n--zz\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n--zz--\n"),
	} {
		_, err := bounces.Parse(raw)
		if err == nil || errors.Is(err, bounces.ErrNotBounce) {
			t.Errorf("%s: got %v, want an error that is not ErrNotBounce", name, err)
		}
	}
}

func TestParseKeyWithoutMessageID(t *testing.T) {
	raw := sample(t, "gmail-ndr.eml", testID, testRecipient, "")
	raw = []byte(strings.Replace(string(raw), "Message-ID: <6a1b3c0e.050a0220.1d6c.0a5dGMR@mx.google.com>\n", "", 1))
	a, err := bounces.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := bounces.Parse(append(raw, '\n'))
	if !strings.HasPrefix(a.Key, "sha256:") || a.Key == b.Key {
		t.Errorf("keys %q and %q: want a hash of each report", a.Key, b.Key)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"postfix-dsn.eml", "exchange-ndr.eml", "gmail-ndr.eml", "exim-bounce.eml", "postfix-delayed.eml"} {
		f.Add(sample(f, name, testID, testRecipient, original(testID)))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := bounces.Parse(raw)
		if err != nil {
			return
		}
		if r.Status == "" || r.Key == "" || len(r.Diagnostic) > 400 || strings.ContainsAny(r.Diagnostic, "\r\n") {
			t.Errorf("report %+v", r)
		}
	})
}

// TestParseFindsQuotedMessageID reads the Message-ID of the message that
// bounced from the original headers an Exchange NDR quotes in its HTML,
// when the NDR has no In-Reply-To or References.
func TestParseFindsQuotedMessageID(t *testing.T) {
	raw := string(sample(t, "exchange-ndr.eml", testID, testRecipient, ""))
	raw = strings.Replace(raw, "In-Reply-To: <"+testID+">\nReferences: <"+testID+">\n", "", 1)
	if strings.Contains(raw, "In-Reply-To") {
		t.Fatal("the headers were not removed")
	}
	r, err := bounces.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if ref, ok := r.Message(); !ok || ref.RecipientID != 17 {
		t.Errorf("got %+v (%v) from %q, want recipient 17", ref, ok, r.MessageIDs)
	}
}
