package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// renderWorkbook prints the workbook as an owner would, with LibreOffice to
// PDF, and its Summary and Groups pages to PNG with pdftoppm, and checks
// the printed text: the campaign's name whole on the Summary, which names
// who differs; the Groups sheet on one page, with every group, the notes
// below the table and the quadrant chart's names. With
// LVM_MAIL_UPDATE_SCREENSHOT=1 it writes the two pages to
// docs/report-summary.png and docs/report-groups.png.
func renderWorkbook(t *testing.T, xlsx, name string, groups []string) {
	t.Helper()
	const poppler = "apt-get install -y poppler-utils"
	soffice := testtool.Find(t, "soffice", "apt-get install -y --no-install-recommends libreoffice-calc")
	pdftotext := testtool.Find(t, "pdftotext", poppler)
	pdftoppm := testtool.Find(t, "pdftoppm", poppler)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(name string, args ...string) []byte {
		t.Helper()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return out
	}
	run(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, xlsx)
	pdf := filepath.Join(dir, strings.TrimSuffix(filepath.Base(xlsx), ".xlsx")+".pdf")
	pages := strings.Split(string(run(pdftotext, "-layout", pdf, "-")), "\f")
	first := func(page string) string {
		for _, l := range strings.Split(page, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				return l
			}
		}
		return ""
	}
	flat := func(page string) string { return strings.Join(strings.Fields(page), " ") }

	summary := flat(pages[0])
	for _, want := range []string{name, "Leans most to leading", "Leans most to managing", "Strongest", "Weakest", "What this says"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the printed Summary's first page lacks %q:\n%s", want, pages[0])
		}
	}
	groupsPage := -1
	for i, p := range pages {
		if first(p) == "Groups" {
			groupsPage = i
		}
	}
	if groupsPage < 0 || groupsPage+1 >= len(pages) {
		t.Fatalf("no printed Groups page among %d pages", len(pages))
	}
	if next := first(pages[groupsPage+1]); next != "Groups, dimension by dimension" {
		t.Errorf("the Groups sheet runs over to a second page, which starts %q", next)
	}
	printed := flat(pages[groupsPage])
	for _, want := range append([]string{"Scores rest on all of a group's answers", "Leader-led", "Leads and manages", "Manager-run", "Neither"}, groups...) {
		if !strings.Contains(printed, want) {
			t.Errorf("the printed Groups page lacks %q:\n%s", want, pages[groupsPage])
		}
	}

	for _, page := range []struct {
		number int
		name   string
	}{{1, "report-summary.png"}, {groupsPage + 1, "report-groups.png"}} {
		n := strconv.Itoa(page.number)
		prefix := filepath.Join(dir, strings.TrimSuffix(page.name, ".png"))
		run(pdftoppm, "-png", "-r", "100", "-f", n, "-l", n, "-singlefile", pdf, prefix)
		shot, err := os.ReadFile(prefix + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", page.name, err)
		}
		if b := img.Bounds(); b.Dx() < b.Dy() || b.Dx() < 1000 {
			t.Errorf("%s: %dx%d, want a landscape page at 100 dpi", page.name, b.Dx(), b.Dy())
		}
		if os.Getenv("LVM_MAIL_UPDATE_SCREENSHOT") == "1" {
			if err := os.WriteFile(filepath.Join("..", "..", "docs", page.name), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
