package locale_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lvm-mail/lvm-mail/locale"
)

// TestCatalogCheck: the check that keeps catalogs complete fails on a
// catalog that lacks a key, has an extra one, or drops a placeholder.
func TestCatalogCheck(t *testing.T) {
	base := locale.NewCatalog("en", map[string]string{"form.send": "Send", "form.until": "Until {when}."})
	for _, tt := range []struct {
		texts map[string]string
		want  string
	}{
		{map[string]string{"form.send": "Senden", "form.until": "Bis {when}."}, ""},
		{map[string]string{"form.send": "Senden"}, "de.toml lacks form.until, which en.toml has"},
		{map[string]string{"form.send": "Senden", "form.until": "Bis {when}.", "form.extra": "x"}, "de.toml has form.extra, which en.toml does not"},
		{map[string]string{"form.send": "Senden", "form.until": "Bis zum Ende."}, "form.until has the placeholders [], but en.toml has [{when}]"},
	} {
		err := locale.NewCatalog("de", tt.texts).Check(base)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
}

func TestParseCatalogs(t *testing.T) {
	fsys := fstest.MapFS{
		"words/en.toml": {Data: []byte("[a]\nhello = \"Hello {name}\"\nbye = \"Bye\"\n[n]\nthings.one = \"{n} thing\"\nthings.other = \"{n} things\"\n")},
		"words/fr.toml": {Data: []byte("[a]\nhello = \"Bonjour {name}\"\nbye = \"Au revoir\"\n[n]\nthings.one = \"{n} chose\"\nthings.other = \"{n} choses\"\n")},
	}
	cs, err := locale.ParseCatalogs(fsys, "words")
	if err != nil {
		t.Fatal(err)
	}
	fr := cs.Pick("fr-CA", "en")
	if got := fr.T("a.hello", "name", "Zoë"); got != "Bonjour Zoë" {
		t.Errorf("got %q", got)
	}
	if got := fr.N("n.things", 0) + ", " + cs.Pick("en", "").N("n.things", 0); got != "0 chose, 0 things" {
		t.Errorf("plurals: got %q, want French 0 as one and English 0 as many", got)
	}
	if got := cs.Pick("de", "xx").T("a.hello", "name", "x"); got != "Hello x" {
		t.Errorf("a language without a catalog: got %q, want English", got)
	}
	if got := fr.T("a.missing"); got != "[a.missing]" {
		t.Errorf("a missing key: got %q", got)
	}
	if err := cs.Complete(); err != nil {
		t.Errorf("complete catalogs: %v", err)
	}
	fsys["words/es.toml"] = &fstest.MapFile{Data: []byte("[a]\nhello = \"Hola {name}\"\nbye = \" \"\n[n]\nthings.one = \"{n} cosa\"\nthings.other = \"{n} cosas\"\n")}
	if cs, err := locale.ParseCatalogs(fsys, "words"); err != nil || cs.Complete() == nil || !strings.Contains(cs.Complete().Error(), "es.toml: a.bye is empty") {
		t.Errorf("an empty Spanish text: %v", err)
	}
	delete(fsys, "words/es.toml")
	fsys["words/de.toml"] = &fstest.MapFile{Data: []byte("[a]\nhello = \"Hallo\"\n")}
	if _, err := locale.ParseCatalogs(fsys, "words"); err == nil || !strings.Contains(err.Error(), "de.toml") {
		t.Errorf("an incomplete German catalog: got %v", err)
	}
}
