package survey_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lvm-mail/lvm-mail/instrument"
)

// TestBrowserLanguages opens the German and the French person's links in
// Chromium: the page says its language and shows the statements of the
// right translation; a language link switches the display, and the page
// fits a phone. At 375 px it takes a full-page screenshot of each; with
// LVM_MAIL_UPDATE_SCREENSHOT=1 it writes them to docs/survey-page-de.png
// and docs/survey-page-fr.png.
func TestBrowserLanguages(t *testing.T) {
	f := newFixture(t)
	f.setLanguages("en", "de", "fr", "es", "en", "en")
	ctx := newBrowser(t)
	in := instrument.Default()

	for _, tt := range []struct {
		person int
		lang   string
		send   string
	}{{1, "de", "Antworten absenden"}, {2, "fr", "Envoyer mes réponses"}} {
		tr := in.Translated(tt.lang)
		for _, width := range []int64{320, 375} {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait),
				chromedp.Navigate(f.srv.URL+"/s/"+f.tokens[tt.person]),
				chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="a-%s-4"]`, tr.Items[0].ID))),
			)
			if err != nil {
				t.Fatal(err)
			}
			lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
			if err != nil || lang != tt.lang {
				t.Errorf("%s at %d px: document.documentElement.lang is %q (%v)", tt.lang, width, lang, err)
			}
			legends, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("fieldset.item legend")].map(l => l.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, it := range tr.Items {
				want[it.Text] = true
			}
			for _, l := range legends {
				if !want[l] {
					t.Errorf("%s: the statement %q is not one of the %s translation's", tt.lang, l, tt.lang)
				}
				delete(want, l)
			}
			if len(want) > 0 || len(legends) != len(tr.Items) {
				t.Errorf("%s: %d statements on the page, %d of the translation's missing", tt.lang, len(legends), len(want))
			}
			button, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`button[type="submit"]`)))
			if err != nil || strings.TrimSpace(button) != tt.send {
				t.Errorf("%s: the button says %q (%v), want %q", tt.lang, button, err, tt.send)
			}
			sizes, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
			if err != nil {
				t.Fatal(err)
			}
			if sizes[0] > sizes[1] {
				t.Errorf("%s at %d px: the page is %d px wide in a window of %d px", tt.lang, width, sizes[0], sizes[1])
			}
			if width != 375 {
				continue
			}
			saveScreenshot(t, ctx, "survey-page-"+tt.lang+".png")
		}
	}

	// The German person follows the link to Español: the page is Spanish,
	// at the same link.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.srv.URL+"/s/"+f.tokens[1]), chromedp.Click(chromedp.CSS(`nav.languages a[hreflang="es"]`))); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "es" || loc != f.srv.URL+"/s/"+f.tokens[1]+"?lang=es" {
		t.Errorf("after the link to Español: at %s in %q (%v)", loc, lang, err)
	}
	if len(f.responses()) != 0 || f.responded(f.tokens[1]) {
		t.Error("switching languages recorded something")
	}
}
