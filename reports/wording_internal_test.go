package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWordingComplete: every catalog of the workbook's words has each key
// English has, with the same placeholders, and no other; and every key
// the code asks for by name is in English's.
func TestWordingComplete(t *testing.T) {
	cs, err := catalogs()
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

	used := regexp.MustCompile(`\.(T|N)\("([a-z_]+\.[a-z_.0-9]+)"|topic\("([a-z_]+)"|"(sheet\.[a-z_]+)"`)
	files, _ := filepath.Glob("*.go")
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			var keys []string
			switch {
			case m[1] == "N":
				keys = []string{m[2] + ".one", m[2] + ".other"}
			case m[2] != "":
				keys = []string{m[2]}
			case m[3] != "":
				keys = []string{"method." + m[3] + ".topic", "method." + m[3] + ".text"}
			default:
				keys = []string{m[4]}
			}
			for _, k := range keys {
				if strings.HasSuffix(k, ".") {
					continue // a prefix, completed at run time
				}
				n++
				if _, ok := base.Text(k); !ok {
					t.Errorf("%s asks for %s, which en.toml lacks", name, k)
				}
			}
		}
	}
	if n < 150 {
		t.Errorf("found only %d uses of keys: is the pattern still right?", n)
	}
}
