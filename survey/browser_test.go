package survey_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// newBrowser starts a headless Chromium for one test and returns a context
// that runs its steps, with a deadline of 30 seconds.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(testtool.Chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	// The first run starts the browser; it must not carry the deadline, which
	// would stop the browser itself.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestBrowserAnswerAndSubmit answers the survey as a person does: by
// clicking the labels, typing a comment and pressing the button.
func TestBrowserAnswerAndSubmit(t *testing.T) {
	f := newFixture(t)
	ctx := newBrowser(t)
	tok := f.tokens[0]

	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/s/"+tok)); err != nil {
		t.Fatal(err)
	}
	items := f.camp.Instrument.Items
	chosen := map[string]int{items[0].ID: 5, items[1].ID: 1, items[len(items)-1].ID: 3}
	var steps []chromedp.Action[chromedp.Void]
	for id, v := range chosen {
		steps = append(steps, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="a-%s-%d"]`, id, v))))
	}
	steps = append(steps, chromedp.SendKeys(chromedp.ID("comment"), "Clicked in a browser"))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("answer: %v", err)
	}
	for id, v := range chosen {
		checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById("a-%s-%d").checked`, id, v)))
		if err != nil || !checked {
			t.Errorf("%s: clicking the label %q did not choose it (%v)", id, campaign.ScaleLabels[v-1], err)
		}
	}

	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if resp.Status != 200 {
		t.Errorf("after submitting: got status %d, want 200", resp.Status)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if loc != f.srv.URL+"/thanks?lang=en" || heading != "Thank you" {
		t.Errorf("after submitting: at %s with heading %q, want %s/thanks?lang=en and \"Thank you\"", loc, heading, f.srv.URL)
	}

	got := f.responses()
	if len(got) != 1 || !f.responded(tok) {
		t.Fatalf("got %d responses (responded %v), want 1", len(got), f.responded(tok))
	}
	if comments := f.comments(); fmt.Sprint(got[0].Answers) != fmt.Sprint(chosen) || len(comments) != 1 || comments[0] != "Clicked in a browser" {
		t.Errorf("stored %v and comments %q, want %v and the comment typed", got[0].Answers, comments, chosen)
	}
}

// TestBrowserNarrowScreen lays the page out at phone widths: nothing may
// overflow sideways. At 375 px it takes a full-page screenshot; with
// LVM_MAIL_UPDATE_SCREENSHOT=1 it also writes it to docs/survey-page.png,
// and its first screen to docs/survey-page-top.png (saveScreenshot).
func TestBrowserNarrowScreen(t *testing.T) {
	f := newFixture(t)
	ctx := newBrowser(t)
	items := f.camp.Instrument.Items

	for _, width := range []int64{320, 375} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(width, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait),
			chromedp.Navigate(f.srv.URL+"/s/"+f.tokens[0]),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="a-%s-4"]`, items[0].ID))),
		)
		if err != nil {
			t.Fatal(err)
		}
		sizes, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
		if err != nil {
			t.Fatal(err)
		}
		if sizes[0] > sizes[1] {
			t.Errorf("at %d px: the page is %d px wide in a window of %d px", width, sizes[0], sizes[1])
		}
		if width != 375 {
			continue
		}
		saveScreenshot(t, ctx, "survey-page.png")
	}
}

// saveScreenshot takes a full-page screenshot, 375 px wide, and keeps it
// in the test's folder; with LVM_MAIL_UPDATE_SCREENSHOT=1 it writes it to
// docs/name too, and its first screen (375 × 740 px), which README.md
// shows, to docs/NAME-top.png.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w != 375 {
		t.Errorf("screenshot %d px wide, want 375", w)
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), name), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("LVM_MAIL_UPDATE_SCREENSHOT") == "1" {
		if err := os.WriteFile(filepath.Join("..", "docs", name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
		top, ok := img.(interface {
			SubImage(image.Rectangle) image.Image
		})
		if !ok {
			t.Fatalf("cannot crop a %T", img)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, top.SubImage(image.Rect(0, 0, 375, 740))); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", strings.TrimSuffix(name, ".png")+"-top.png"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// statementOrder reads the order of the statements on the page, by item id.
func statementOrder(t *testing.T, ctx context.Context) []string {
	t.Helper()
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("fieldset.item")].map(f => f.id.replace(/^item-/, ""))`))
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestBrowserStatementOrder: each person sees the statements in an order
// of their own, the same every time they open their link, and the page
// shows no dimension: nothing tells which side a statement is on, and no
// statement sits next to another of its dimension.
func TestBrowserStatementOrder(t *testing.T) {
	f := newFixture(t)
	ctx := newBrowser(t)
	in := f.camp.Instrument
	dimension := map[string]string{}
	for _, it := range in.Items {
		dimension[it.ID] = it.Dimension
	}

	orders := map[string][]string{}
	for _, tok := range f.tokens[:2] {
		if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/s/"+tok)); err != nil {
			t.Fatal(err)
		}
		order := statementOrder(t, ctx)
		if len(order) != len(in.Items) {
			t.Fatalf("got %d statements on the page, want %d", len(order), len(in.Items))
		}
		for i := 1; i < len(order); i++ {
			if dimension[order[i]] == dimension[order[i-1]] {
				t.Errorf("%s and %s, of one dimension, are next to each other", order[i-1], order[i])
			}
		}
		page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range in.Dimensions {
			if strings.Contains(page, d.Name) {
				t.Errorf("the page names the dimension %q", d.Name)
			}
		}
		for _, word := range []string{"leading", "managing", "leadership", "management"} {
			if strings.Contains(strings.ToLower(page), word) {
				t.Errorf("the page says %q, which tells which side a statement is on", word)
			}
		}

		// Reloading, and coming back after a refused submission, keep it.
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		if again := statementOrder(t, ctx); !slices.Equal(again, order) {
			t.Errorf("reloading changed the order:\n%v\n%v", order, again)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`))); err != nil {
			t.Fatal(err)
		}
		if again := statementOrder(t, ctx); !slices.Equal(again, order) {
			t.Errorf("the form shown again after a refused submission has another order:\n%v\n%v", order, again)
		}
		orders[tok] = order
	}
	if a, b := orders[f.tokens[0]], orders[f.tokens[1]]; slices.Equal(a, b) {
		t.Errorf("two people got the same order: %v", a)
	}
	var instrumentOrder []string
	for _, it := range in.Items {
		instrumentOrder = append(instrumentOrder, it.ID)
	}
	if slices.Equal(orders[f.tokens[0]], instrumentOrder) {
		t.Error("the statements are in the instrument's order, each twin after the other")
	}
}

// TestBrowserAccessibility injects axe-core into the survey page, at a
// phone's width and a desktop's, first as it opens and then showing the
// problems of a refused submission, in English and, at a phone's width,
// in German, French and Spanish, and fails on any violation of WCAG 2.2
// level A or AA (the language of the page and of its language links
// included).
func TestBrowserAccessibility(t *testing.T) {
	axe, err := os.ReadFile(testtool.AxeCore(t))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.setLanguages("en", "de", "fr", "es", "en", "en")
	ctx := newBrowser(t)
	const check = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
		.then(r => JSON.stringify({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))}))`
	type result struct {
		Passes     int
		Violations []struct {
			ID, Impact, Help string
			Nodes            []string
		}
	}
	type visit struct {
		person int
		lang   string
		width  int64
	}
	visits := []visit{{0, "en", 375}, {0, "en", 1280}, {1, "de", 375}, {2, "fr", 375}, {3, "es", 375}}
	for _, v := range visits {
		width := v.width
		for _, state := range []string{"form", "refused"} {
			state := v.lang + " " + state
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.EmulateViewport(width, 800),
				chromedp.Navigate(f.srv.URL + "/s/" + f.tokens[v.person]),
			}
			if strings.HasSuffix(state, "refused") {
				steps = append(steps, chromedp.Click(chromedp.CSS(`button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".summary")))
			}
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+"\n;true")); err != nil {
				t.Fatalf("inject axe-core: %v", err)
			}
			out, err := chromedp.Run(ctx, chromedp.Evaluate[string](check, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("run axe-core: %v", err)
			}
			var r result
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("axe-core result %q: %v", out, err)
			}
			if r.Passes == 0 {
				t.Errorf("%d px, %s: axe-core checked nothing", width, state)
			}
			for _, v := range r.Violations {
				t.Errorf("%d px, %s: %s (%s): %s\n  %s", width, state, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
			}
		}
	}
}
