package survey

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func TestParseForm(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		answers map[string]int
		comment string
		bad     bool
	}{
		{"OK", "a=1&b=5&comment=hi", map[string]int{"a": 1, "b": 5}, "hi", false},
		{"Strict", "a=+3&b=3.0&c=03&d=&e=6&f=0&g=%EF%BC%93", map[string]int{"a": 0, "b": 0, "c": 0, "d": 0, "e": 0, "f": 0, "g": 0}, "", false},
		{"CRLF", "comment=%20one%0D%0Atwo%0D%0A", map[string]int{}, "one\ntwo", false},
		{"Twice", "a=1&a=2", nil, "", true},
		{"CommentTwice", "comment=x&comment=y", nil, "", true},
		{"Semicolon", "a=1;b=2", nil, "", true},
		{"BadEscape", "a=%zz", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := parseForm(tt.body)
			if tt.bad {
				if !errors.Is(err, errBadForm) {
					t.Errorf("got %v, want errBadForm", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(sub.answers) != len(tt.answers) || sub.comment != tt.comment {
				t.Errorf("got %v %q, want %v %q", sub.answers, sub.comment, tt.answers, tt.comment)
			}
			for k, v := range tt.answers {
				if sub.answers[k] != v {
					t.Errorf("%s: got %d, want %d", k, sub.answers[k], v)
				}
			}
		})
	}
}

// FuzzParseForm: whatever arrives, the parser keeps only answers on the
// scale or 0, and what it accepts the validator either accepts or refuses
// with an *InputError; nothing panics.
func FuzzParseForm(f *testing.F) {
	in := campaign.Instrument{
		Title:      "T",
		Dimensions: []campaign.Dimension{{ID: "d", Name: "D"}},
		Items: []campaign.Item{
			{ID: "d-l", Dimension: "d", Pole: campaign.Leadership, Text: "L"},
			{ID: "d-m", Dimension: "d", Pole: campaign.Management, Text: "M"},
		},
		Comment: "Anything else?",
	}
	f.Add("d-l=3&d-m=5&comment=hello")
	f.Add("d-l=%203&comment=" + strings.Repeat("x", 2001))
	f.Add("d-l=1&d-l=2")
	f.Add("comment=%0D%0A&x=1")
	f.Fuzz(func(t *testing.T, body string) {
		sub, err := parseForm(body)
		if err != nil {
			if !errors.Is(err, errBadForm) {
				t.Fatalf("got %v, want errBadForm", err)
			}
			return
		}
		values, _ := url.ParseQuery(body)
		if sub.fields != len(values) {
			t.Errorf("counted %d fields, the body has %d", sub.fields, len(values))
		}
		for k, v := range sub.answers {
			if v != 0 && (v < campaign.ScaleMin || v > campaign.ScaleMax) {
				t.Errorf("%s: kept %d, off the scale", k, v)
			}
			if v != 0 && values.Get(k) != string(rune('0'+v)) {
				t.Errorf("%s: kept %d from %q", k, v, values.Get(k))
			}
		}
		if strings.Contains(sub.comment, "\r\n") {
			t.Error("a CRLF was kept in the comment")
		}
		var input *campaign.InputError
		if err := campaign.ValidateAnswers(&in, sub.answers, sub.comment); err != nil && !errors.As(err, &input) {
			t.Errorf("the validator failed with %v", err)
		}
	})
}
