package survey_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/survey"
)

// benchClients is the number of people submitting at the same moment.
const benchClients = 16

// BenchmarkRecordResponses measures responses recorded per second with 16
// concurrent clients, over real HTTP on loopback into a real SQLite file.
//
// Floor is a bare net/http handler that parses the same form and does one
// SQLite INSERT per request into an equivalent table, with the store's
// connection settings. Survey is the real handler and store: it looks the
// link up, validates, flips the responded flag and stores the anonymous
// response in one transaction. scripts/bench-serve.sh prints their ratio.
func BenchmarkRecordResponses(b *testing.B) {
	b.Run("Floor", func(b *testing.B) {
		srv := httptest.NewServer(floorHandler(b))
		defer srv.Close()
		paths := make([]string, b.N)
		for i := range paths {
			paths[i] = "/r"
		}
		submitAll(b, srv, paths, benchForm(instrument.Default()))
	})
	b.Run("Survey", func(b *testing.B) {
		ctx := context.Background()
		store, err := campaign.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), campaign.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		staff := make([]campaign.StaffMember, b.N)
		for i := range staff {
			staff[i] = campaign.StaffMember{Email: fmt.Sprintf("p%d@example.com", i), Name: fmt.Sprintf("P %d", i),
				Department: fmt.Sprintf("Dept %d", i%40), Active: true}
		}
		if _, err := store.ImportStaff(ctx, staff, campaign.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		c, err := store.CreateCampaign(ctx, campaign.NewCampaign{Name: "Bench", Instrument: instrument.Default(), MinGroupSize: 5}, testKey())
		if err != nil {
			b.Fatal(err)
		}
		rs, err := store.FindRecipients(ctx, c.ID)
		if err != nil {
			b.Fatal(err)
		}
		paths := make([]string, len(rs))
		for i, r := range rs {
			paths[i] = "/s/" + r.Token(testKey())
		}
		h, err := survey.NewHandler(store, "Bench Ltd", time.Now, slog.New(slog.DiscardHandler), survey.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		submitAll(b, srv, paths, benchForm(c.Instrument))

		b.StopTimer()
		st, err := store.CampaignStatus(ctx, c)
		if err != nil {
			b.Fatal(err)
		}
		if st.Responded != b.N {
			b.Fatalf("got %d responded, want %d", st.Responded, b.N)
		}
	})
}

// benchForm answers every statement and leaves a short comment.
func benchForm(in campaign.Instrument) string {
	v := url.Values{}
	for i, it := range in.Items {
		v.Set(it.ID, strconv.Itoa(i%5+1))
	}
	v.Set("comment", "More time to talk about the big picture would help.")
	return v.Encode()
}

// submitAll posts the form once to every path from benchClients clients
// at once, wants a 303 for each, and reports responses per second.
func submitAll(b *testing.B, srv *httptest.Server, paths []string, form string) {
	b.Helper()
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: benchClients, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range benchClients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(len(paths)) {
					return
				}
				resp, err := client.Post(srv.URL+paths[i], "application/x-www-form-urlencoded", strings.NewReader(form))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					b.Errorf("got status %d, want 303", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(len(paths))/b.Elapsed().Seconds(), "responses/s")
}

// floorHandler is the least a server can do per response: parse the form
// and INSERT one row, in its own implicit transaction, into a table like
// responses, opened as the store opens its database.
func floorHandler(b *testing.B) http.Handler {
	b.Helper()
	path := filepath.Join(b.TempDir(), "floor.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_synchronous=NORMAL&_stmt_cache_size=32")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE responses (
		id TEXT PRIMARY KEY, campaign_id INTEGER NOT NULL, submitted_on TEXT NOT NULL,
		groups TEXT NOT NULL DEFAULT '{}', answers TEXT NOT NULL, comment TEXT NOT NULL DEFAULT ''
	) WITHOUT ROWID;
	CREATE INDEX responses_by_campaign ON responses (campaign_id);`)
	if err != nil {
		b.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		answers := map[string]int{}
		for k, v := range r.PostForm {
			if k != "comment" {
				answers[k], _ = strconv.Atoi(v[0])
			}
		}
		given, _ := json.Marshal(answers)
		id := make([]byte, 16)
		rand.Read(id)
		_, err := db.ExecContext(r.Context(), `INSERT INTO responses (id, campaign_id, submitted_on, groups, answers, comment)
			VALUES (?, ?, ?, ?, ?, ?)`, hex.EncodeToString(id), 1, time.Now().Format(time.DateOnly), `{"department":"Sales"}`, string(given), r.PostForm.Get("comment"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Location", "/thanks")
		w.WriteHeader(http.StatusSeeOther)
	})
}
