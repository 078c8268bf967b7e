package main

import (
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestReadmeImages: every image README.md shows fits a screen or two
// (the full-page screenshot of the survey is 10,000 px tall: it is linked,
// not shown), and every file it links to exists.
func TestReadmeImages(t *testing.T) {
	const root = "../.."
	readme := mustRead(t, filepath.Join(root, "README.md"))
	images := regexp.MustCompile(`!\[[^\]]*\]\(([^)\s]+)\)`).FindAllStringSubmatch(readme, -1)
	if len(images) == 0 {
		t.Fatal("README.md shows no image, want the survey page on a phone")
	}
	for _, m := range images {
		f, err := os.Open(filepath.Join(root, m[1]))
		if err != nil {
			t.Errorf("README.md shows %s: %v", m[1], err)
			continue
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Errorf("README.md shows %s: %v", m[1], err)
			continue
		}
		if cfg.Height > 1000 {
			t.Errorf("README.md shows %s, %d × %d px: show the first screen and link the full page", m[1], cfg.Width, cfg.Height)
		}
	}
	hero := regexp.MustCompile(`\[!\[[^\]]*\]\([^)]+\)\]\(([^)\s]+)\)`).FindStringSubmatch(readme)
	if hero == nil {
		t.Fatal("the survey page on a phone is not a link to the full page")
	}
	if _, err := os.Stat(filepath.Join(root, hero[1])); err != nil {
		t.Errorf("the image links to %s: %v", hero[1], err)
	}
}
