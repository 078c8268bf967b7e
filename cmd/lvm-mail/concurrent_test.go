package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/demo"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/mailer/smtptest"
	"github.com/lvm-mail/lvm-mail/survey"
)

// TestServeWhileSendingAndReminding records responses through the survey
// handler, on a store handle of its own, while send and then remind run on
// the same database file: nothing is lost and no one sees a lock error.
func TestServeWhileSendingAndReminding(t *testing.T) {
	c, srv := newMailShell(t, smtptest.Options{Delay: 2 * time.Millisecond}, "")
	const people, answering = 300, 200
	c.invite(people)

	store, err := campaign.Open(context.Background(), c.path("lvm-mail.db"), campaign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h, err := survey.NewHandler(store, "Example Ltd", time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), survey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()

	var delivery struct {
		outputs []string
		codes   []int
		sent    time.Time // when send finished
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, cmd := range []string{"send", "remind"} {
			out, errOut, code := c.run(cmd, "--campaign", "big")
			delivery.outputs = append(delivery.outputs, out+errOut)
			delivery.codes = append(delivery.codes, code)
			if cmd == "send" {
				delivery.sent = time.Now()
			}
		}
	}()

	in := instrument.Default()
	jobs := make(chan string)
	errs := make(chan error, answering)
	var firstAnswer time.Time
	var once sync.Once
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tok := range jobs {
				answers := map[string]int{}
				for _, it := range in.Items {
					answers[it.ID] = 4
				}
				err := demo.Respond(context.Background(), http.DefaultClient, ts.URL+"/s/"+tok, answers, "")
				once.Do(func() { firstAnswer = time.Now() })
				errs <- err
			}
		}()
	}
	// Staff answer through the links in the messages as they arrive.
	seen := 0
	for n := 0; n < answering; time.Sleep(time.Millisecond) {
		msgs := srv.Messages()
		for ; seen < len(msgs) && n < answering; seen++ {
			d, err := mailer.Decode(msgs[seen].Data)
			if err != nil {
				t.Fatal(err)
			}
			link := linkRE.FindStringSubmatch(d.Text)
			if link == nil {
				t.Fatalf("a message without a link:\n%s", d.Text)
			}
			jobs <- link[1]
			n++
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a response was not recorded: %v", err)
		}
	}
	for i, code := range delivery.codes {
		if code != 0 || strings.Contains(strings.ToLower(delivery.outputs[i]), "locked") {
			t.Errorf("delivery run %d: exit %d\n%s", i, code, delivery.outputs[i])
		}
	}

	if !firstAnswer.Before(delivery.sent) {
		t.Error("no response was recorded while send ran, so the test proves nothing")
	}

	recorded := 0
	camp, err := store.FindCampaign(context.Background(), "big")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ScanResponses(context.Background(), camp.ID, func(*campaign.Response) error { recorded++; return nil }); err != nil {
		t.Fatal(err)
	}
	st := c.status("big")
	if recorded != answering || st["responded"] != float64(answering) || st["sent"] != float64(people) {
		t.Errorf("got %d responses stored and status %v; want %d responses and %d sent", recorded, st, answering, people)
	}
	if got := srv.Count(); got != people+int(st["reminded"].(float64)) {
		t.Errorf("the server got %d messages for %d invitations and %v reminders", got, people, st["reminded"])
	}
}
