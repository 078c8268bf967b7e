package instrument_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
)

func TestDefault(t *testing.T) {
	in := instrument.Default()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := len(in.Dimensions); n < 8 || n > 12 {
		t.Errorf("got %d dimensions, want about 10", n)
	}
	count := map[campaign.Pole]int{}
	for _, it := range in.Items {
		count[it.Pole]++
		if len(it.Text) > 120 {
			t.Errorf("item %s is %d characters: keep statements short enough for a phone", it.ID, len(it.Text))
		}
	}
	for _, p := range campaign.Poles {
		if count[p] < 10 {
			t.Errorf("got %d %s items, want at least 10 for a reliable composite", count[p], p)
		}
	}
	if in.Comment == "" || in.Intro == "" {
		t.Error("the default instrument needs an intro and a comment question")
	}
}

func TestParse(t *testing.T) {
	const valid = `
title = "Mini"
intro = "Hello"
[[dimension]]
id = "focus"
name = "People or systems"
[[item]]
id = "f-l"
dimension = "focus"
pole = "leadership"
text = "People first."
[[item]]
id = "f-m"
dimension = "focus"
pole = "management"
text = "Systems first."
`
	in, err := instrument.Parse(valid, "mini.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Items) != 2 || in.Items[1].Pole != campaign.Management || in.Dimensions[0].Name != "People or systems" {
		t.Errorf("parsed %+v", in)
	}

	tests := []struct {
		name, text, want string
	}{
		{"MisspeltPole", strings.Replace(valid, `"management"`, `"managment"`, 1), `mini.toml: item "f-m".pole: unknown pole "managment"`},
		{"UnknownKey", strings.Replace(valid, "intro =", "intr =", 1), `mini.toml: intr: unknown key`},
		{"Syntax", valid + "\n[[item]\n", "mini.toml: line"},
		{"WrongType", strings.Replace(valid, `title = "Mini"`, `title = 3`, 1), "mini.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := instrument.Parse(tt.text, "mini.toml")
			var ie *campaign.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an *InputError containing %q", err, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	if _, err := instrument.Load(filepath.Join(t.TempDir(), "missing.toml")); err == nil {
		t.Error("loading a missing file must fail")
	}
	path := filepath.Join(t.TempDir(), "custom.toml")
	text := "title = \"T\"\n[[dimension]]\nid=\"d\"\nname=\"D\"\n[[item]]\nid=\"l\"\ndimension=\"d\"\npole=\"leadership\"\ntext=\"x\"\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := instrument.Load(path)
	if err == nil || !strings.Contains(err.Error(), `dimension "d": has no management item`) || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want the missing pole named with the file", err)
	}
}
