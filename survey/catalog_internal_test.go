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
	if got := strings.Join(cs.Languages(), " "); got != "en de es fr" {
		t.Errorf("catalogs %s, want en de es fr", got)
	}
	if err := cs.Complete(); err != nil {
		t.Error(err)
	}
	base, _ := cs.Match("en")
	for _, lang := range cs.Languages()[1:] {
		c, _ := cs.Match(lang)
		for _, key := range c.Keys() {
			text, _ := c.Text(key)
			if english, _ := base.Text(key); text == english && !strings.HasPrefix(key, "when.") {
				t.Errorf("%s.toml: %s is the English text, untranslated: %q", lang, key, text)
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
			if _, ok := base.Text(m[1]); !ok {
				t.Errorf("%s is used but en.toml lacks it", m[1])
			}
		}
	}
	if n < 40 {
		t.Errorf("found only %d uses of catalog keys: is the pattern still right?", n)
	}
}
