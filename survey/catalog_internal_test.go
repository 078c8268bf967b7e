package survey

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/locale"
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
	base, _ := cs.Match("en")
	cs.Each(func(c *locale.Catalog) {
		if err := c.Check(base); err != nil {
			t.Error(err)
		}
		for _, key := range c.Keys() {
			text, _ := c.Text(key)
			english, _ := base.Text(key)
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s.toml: %s is empty", c.Lang(), key)
			}
			if c != base && text == english && !strings.HasPrefix(key, "when.") {
				t.Errorf("%s.toml: %s is the English text, untranslated: %q", c.Lang(), key, text)
			}
		}
	})

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
