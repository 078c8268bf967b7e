package main

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo-out")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"lvm-mail", "demo", "--dir", dir, "--staff", "60"},
		func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"report.xlsx", "demo.db", "mail", "Result:", "leads and manages"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output does not mention %q:\n%s", want, out.String())
		}
	}

	xlsx := filepath.Join(dir, "report.xlsx")
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "Summary,Groups,Group dimensions,Dimensions,Items,Comments,Method"; got != want {
		t.Errorf("got sheets %s, want %s", got, want)
	}
	z, err := zip.OpenReader(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	charts := 0
	for _, file := range z.File {
		if strings.HasPrefix(file.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts < 4 {
		t.Errorf("got %d charts, want the Summary, Items and two Groups charts", charts)
	}
	emls, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(emls) < 60 {
		t.Errorf("got %d captured messages, want an invitation for each of the staff and reminders", len(emls))
	}

	// A second run reuses the folder it made.
	out.Reset()
	if err := run(context.Background(), []string{"lvm-mail", "demo", "--dir", dir, "--staff", "20"},
		func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("second demo in the same folder: %v\n%s", err, out.String())
	}
}

func TestDemoRefusesAForeignFolder(t *testing.T) {
	c := newShell(t)
	c.write("precious.txt", "keep me")
	errOut := c.fails(1, "demo", "--dir", c.dir)
	if !strings.Contains(errOut, "not made by the demo") {
		t.Errorf("got %q", errOut)
	}
	if mustRead(t, c.path("precious.txt")) != "keep me" {
		t.Error("the demo touched a folder it did not make")
	}
	c.fails(2, "demo", "--staff", "5")
}

func TestDemoKeepServing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"lvm-mail", "demo", "--dir", filepath.Join(t.TempDir(), "d"), "--staff", "20", "--keep-serving"},
			func(string) string { return "" }, strings.NewReader(""), &out, &out)
	}()
	linkRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]+`)
	var link string
	for deadline := time.Now().Add(time.Minute); link == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("demo --keep-serving returned early: %v\n%s", err, out.String())
		default:
		}
		if strings.Contains(out.String(), "Press Ctrl-C") {
			link = linkRE.FindString(out.String()[strings.LastIndex(out.String(), "Open this link"):])
		}
	}
	if link == "" {
		t.Fatalf("no link to try after a minute:\n%s", out.String())
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the printed link answered %s, want the survey form", resp.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo --keep-serving after Ctrl-C: %v", err)
	}
}

// TestDemoForANewcomer runs the demo as a newcomer does, in a folder of
// their own with the default settings, and reads what they see: the
// numbers agree, every line fits 80 columns, and the comments in the
// report read like a real organisation's (no five the same, no formula
// typed as a comment: that case stays in the reports tests).
func TestDemoForANewcomer(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"lvm-mail", "demo"}, func(string) string { return "" },
		strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out.String(), errOut.String())
	}
	text := out.String()
	flat := strings.Join(strings.Fields(text), " ") // as read, across wrapped lines
	for _, want := range []string{"Import the roster of 150 staff", "Imported lvm-mail-demo/staff.csv: 150 added", "150 people invited"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the demo does not say %q:\n%s", want, text)
		}
	}
	for i, line := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line %d is %d columns wide, want at most 80:\n%s", i+1, n, line)
		}
	}

	f, err := excelize.OpenFile(filepath.Join("lvm-mail-demo", "report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Comments")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	shown := 0
	for _, row := range rows[3:] {
		if len(row) < 2 || row[0] == "" {
			continue // the note below the comments
		}
		shown++
		seen[row[0]]++
		if strings.HasPrefix(row[0], "=") {
			t.Errorf("the demo's report shows a formula typed as a comment: %q", row[0])
		}
	}
	if shown < 5 {
		t.Errorf("the demo's report shows %d comments, want a few to read", shown)
	}
	for c, n := range seen {
		if n > 1 {
			t.Errorf("the demo's report shows %q %d times", c, n)
		}
	}
}
