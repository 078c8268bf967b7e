package survey

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogsComplete: every catalog has each key English has, with the
// same placeholders, and no other; and every key the pages and the code
// use is in English's.
func TestCatalogsComplete(t *testing.T) {
	cs, err := parseCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cs.langs, " "); got != "en de es fr" {
		t.Errorf("catalogs %s, want en de es fr", got)
	}
	base := cs.byLang["en"]
	for _, c := range cs.byLang {
		if err := c.sameKeysAs(base); err != nil {
			t.Error(err)
		}
		for key, text := range c.texts {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s.toml: %s is empty", c.lang, key)
			}
			if c != base && text == base.texts[key] && !strings.HasPrefix(key, "when.") && key != "problem.about_comment" {
				t.Errorf("%s.toml: %s is the English text, untranslated: %q", c.lang, key, text)
			}
		}
	}

	// The keys the templates and the Go code ask for.
	used := regexp.MustCompile(`(?:\.L\.T|\.T\(|l\.L\.T\() ?"([a-z_]+\.[a-z_0-9]+)"`)
	var sources []string
	err = fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(files, path)
			sources = append(sources, string(b))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	gofiles, _ := filepath.Glob("*.go")
	for _, name := range gofiles {
		if !strings.HasSuffix(name, "_test.go") {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			sources = append(sources, string(b))
		}
	}
	n := 0
	for _, src := range sources {
		for _, m := range used.FindAllStringSubmatch(src, -1) {
			n++
			if _, ok := base.texts[m[1]]; !ok {
				t.Errorf("%s is used but en.toml lacks it", m[1])
			}
		}
	}
	if n < 40 {
		t.Errorf("found only %d uses of catalog keys: is the pattern still right?", n)
	}
}

// TestCatalogCheckFails: the check that keeps the catalogs complete fails
// on a catalog that lacks a key, has an extra one, or drops a placeholder.
func TestCatalogCheckFails(t *testing.T) {
	base := &catalog{lang: "en", texts: map[string]string{"form.send": "Send", "form.until": "Until {when}."}}
	for _, tt := range []struct {
		texts map[string]string
		want  string
	}{
		{map[string]string{"form.send": "Senden"}, "de.toml lacks form.until, which en.toml has"},
		{map[string]string{"form.send": "Senden", "form.until": "Bis {when}.", "form.extra": "x"}, "de.toml has form.extra, which en.toml does not"},
		{map[string]string{"form.send": "Senden", "form.until": "Bis zum Ende."}, "form.until has the placeholders [], but en.toml has [{when}]"},
	} {
		c := &catalog{lang: "de", texts: tt.texts}
		if err := c.sameKeysAs(base); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
}
