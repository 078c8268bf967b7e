package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/internal/sqlitefile"
)

// fileCopy is what a nightly backup or a VM snapshot takes of a running
// database: the main file and whatever SQLite keeps beside it.
type fileCopy struct {
	main, wal, journal []byte
}

func takeCopy(t *testing.T, db string) fileCopy {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return b
	}
	return fileCopy{main: read(db), wal: read(db + "-wal"), journal: read(db + "-journal")}
}

// states replays the history one copy holds: the database as it was before
// the transaction a journal belongs to, or after each commit a write-ahead
// log holds, and as the main file is now.
func (fc fileCopy) states(t *testing.T) (states []*sqlitefile.Image, history int) {
	t.Helper()
	img, err := sqlitefile.ParseDatabase(fc.main)
	if err != nil {
		t.Fatal(err)
	}
	before, err := sqlitefile.ReadJournal(fc.journal, img.PageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) > 0 {
		states = append(states, img.With(before))
	}
	states = append(states, img)
	_, commits, err := sqlitefile.ReadWAL(fc.wal)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commits {
		img = img.With(c)
		states = append(states, img)
	}
	return states, len(before) + len(commits)
}

// rowsOf returns every row of every table in the image, by table, each row
// keyed by its rowid (or, in a WITHOUT ROWID table, by itself).
func rowsOf(t *testing.T, img *sqlitefile.Image) map[string]map[string]string {
	t.Helper()
	schema, err := img.Schema()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for name, tb := range schema {
		if tb.Type != "table" || tb.Root == 0 {
			continue
		}
		rows, err := img.Rows(tb.Root)
		if err != nil {
			t.Fatalf("table %s: %v", name, err)
		}
		m := map[string]string{}
		for _, r := range rows {
			v := fmt.Sprintf("%q", r.Values)
			k := v
			if r.RowID != 0 {
				k = fmt.Sprint(r.RowID)
			}
			m[k] = v
		}
		out[name] = m
	}
	return out
}

// changed lists the keys of the rows a transition added or changed in a table.
func changed(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, k)
		}
	}
	return out
}

// identityTables hold who people are and what was sent to them; every
// other table but the bookkeeping ones holds what people answered.
var (
	identityTables = []string{"staff", "recipients"}
	bookkeeping    = []string{"settings", "schema_migrations", "campaigns", "campaign_groups", "sqlite_sequence"}
)

// tie looks at one transition from one state of the files to the next, as
// an attacker would: if it changed the rows of fewer than five people and
// also changed rows of answers, comments or group sums, those answers are
// theirs. It returns what it found, or "".
func tie(before, after map[string]map[string]string) string {
	var people []string
	for _, tb := range identityTables {
		people = append(people, changed(before[tb], after[tb])...)
	}
	if len(people) == 0 || len(people) >= 5 {
		return ""
	}
	var answers []string
	for tb := range after {
		if slices.Contains(identityTables, tb) || slices.Contains(bookkeeping, tb) {
			continue
		}
		if n := len(changed(before[tb], after[tb])); n > 0 {
			answers = append(answers, fmt.Sprintf("%d rows of %s", n, tb))
		}
	}
	if len(answers) == 0 {
		return ""
	}
	return fmt.Sprintf("rows %v of %v changed together with %s", people, identityTables, strings.Join(answers, ", "))
}

// TestFileCopiesTieNoAnswerToAPerson plays the attacker who has nothing but
// copies of the database files, taken while serve runs: 24 people answer one
// at a time through the real serve, with known answers and a comment, and
// the files are copied right after each answer is recorded. Read page by
// page, without SQLite, no copy may hold history (log frames, journal
// pages, old group sums in free space), and neither the history a copy
// holds nor two consecutive copies may change a person's row together with
// answers, comments or group sums.
func TestFileCopiesTieNoAnswerToAPerson(t *testing.T) {
	c := newShell(t)
	var roster strings.Builder
	roster.WriteString("email,name,department,location\n")
	const people = 24
	for i := range people {
		fmt.Fprintf(&roster, "p%02d@example.com,Person %02d,%s,%s\n", i, i, []string{"Bakery", "Sales", "Office"}[i%3], []string{"Leeds", "York"}[i/12])
	}
	c.write("staff.csv", roster.String())
	writeConfig(c, `listen = "127.0.0.1:0"`)
	c.ok("staff", "import", c.path("staff.csv"))
	c.ok("campaign", "create", "--name", "Pulse")
	toks := slices.Collect(maps.Values(c.tokensOf("pulse")))
	srv := startServe(t, c)

	db := c.path("lvm-mail.db")
	items := instrument.Default().Items
	copies := []fileCopy{takeCopy(t, db)}
	for i, tok := range toks {
		form := url.Values{"comment": {fmt.Sprintf("Comment number %02d.", i)}}
		for j, it := range items {
			form.Set(it.ID, fmt.Sprint(1+(i+j)%5))
		}
		resp, err := http.PostForm("http://"+srv.addr+"/s/"+tok, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK { // the thank-you page, after the redirect
			t.Fatalf("answer %d: got %d", i, resp.StatusCode)
		}
		copies = append(copies, takeCopy(t, db))
	}

	var last map[string]map[string]string
	for k, fc := range copies {
		states, history := fc.states(t)
		if history > 0 {
			t.Errorf("copy %d holds %d transactions of history (log or journal) beside the main file", k, history)
		}
		if stale := bytes.Count(fc.main, []byte(`{"responses":`)) - len(rowsOf(t, states[len(states)-1])["group_tallies"]); stale > 0 {
			t.Errorf("copy %d keeps %d old versions of group sums in free space", k, stale)
		}
		var prev map[string]map[string]string
		for s, img := range states {
			rows := rowsOf(t, img)
			if prev != nil {
				if found := tie(prev, rows); found != "" {
					t.Errorf("copy %d alone, step %d of its history: %s", k, s, found)
				}
			}
			prev = rows
		}
		if last != nil {
			if found := tie(last, rowsOf(t, states[0])); found != "" {
				t.Errorf("copies %d and %d: %s", k-1, k, found)
			}
		}
		last = prev
	}
}
