package demo_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/demo"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/roster"
)

func TestStaff(t *testing.T) {
	for _, n := range []int{20, 60, 150, 999, 100000} {
		if got := len(demo.Staff(n)); got != n {
			t.Errorf("Staff(%d) has %d people", n, got)
		}
	}
	a, b := demo.Staff(150), demo.Staff(150)
	var buf bytes.Buffer
	if err := demo.WriteCSV(&buf, a); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := campaign.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), campaign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sum, err := s.ImportRoster(ctx, "demo.csv", roster.NewCSVReader(&buf, "demo.csv").Rows(), campaign.ImportOptions{})
	if err != nil {
		t.Fatalf("the demo roster does not import: %v", err)
	}
	if sum.Added != len(a) {
		t.Errorf("imported %d of %d", sum.Added, len(a))
	}
	perDept := map[string]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the roster is not deterministic: %v then %v", a[i], b[i])
		}
		perDept[a[i].Department]++
	}
	for _, d := range demo.Departments {
		if d.Fixed > 0 && perDept[d.Name] != d.Fixed || d.Fixed == 0 && perDept[d.Name] < 10 {
			t.Errorf("%s has %d people", d.Name, perDept[d.Name])
		}
	}
}

func TestAnswerFollowsTheDepartment(t *testing.T) {
	in := instrument.Default()
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range demo.Departments {
		sum := map[campaign.Pole]float64{}
		n := map[campaign.Pole]int{}
		for range 200 {
			answers, _ := demo.Answer(&in, d, r, demo.NewComments(r))
			if err := campaign.ValidateAnswers(&in, answers, ""); err != nil {
				t.Fatal(err)
			}
			for _, it := range in.Items {
				if v, ok := answers[it.ID]; ok {
					sum[it.Pole] += float64(v)
					n[it.Pole]++
				}
			}
		}
		for pole, want := range map[campaign.Pole]float64{campaign.Leadership: d.Leadership, campaign.Management: d.Management} {
			if got := sum[pole] / float64(n[pole]); got < want-0.35 || got > want+0.35 {
				t.Errorf("%s %s: mean answer %.2f, want about %.1f", d.Name, pole, got, want)
			}
		}
	}
}

func TestTextPartAndLinkIn(t *testing.T) {
	const link = "https://survey.example.com/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	msg := "From: a@example.com\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Hello Zo=C3=AB, open=\r\n " + link + "\r\n" +
		"--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n"
	text, err := demo.TextPart([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Hello Zoë, open "+link) {
		t.Errorf("got text %q", text)
	}
	got, ok := demo.LinkIn(text, "https://survey.example.com/")
	if !ok || got != link {
		t.Errorf("LinkIn = %q, %v; want %q", got, ok, link)
	}
	b64 := "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"SGVsbG8gWm/D\r\nqw==\r\n"
	if text, err := demo.TextPart([]byte(b64)); err != nil || text != "Hello Zoë" {
		t.Errorf("base64 part: got %q, %v", text, err)
	}
	if _, ok := demo.LinkIn("no link here", "https://survey.example.com"); ok {
		t.Error("LinkIn found a link in a text without one")
	}
}

func TestCommentsOnce(t *testing.T) {
	in := instrument.Default()
	r := rand.New(rand.NewPCG(3, 4))
	comments := demo.NewComments(r)
	seen := map[string]bool{}
	for range 2000 {
		for _, d := range demo.Departments {
			_, c := demo.Answer(&in, d, r, comments)
			if c == "" {
				continue
			}
			if seen[c] {
				t.Fatalf("comment %q given twice", c)
			}
			if strings.HasPrefix(c, "=") {
				t.Errorf("comment %q looks like a formula", c)
			}
			seen[c] = true
		}
	}
	if len(seen) < 20 {
		t.Errorf("got %d different comments, want the whole pool", len(seen))
	}
}
