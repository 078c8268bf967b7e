package sqlitefile_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/lvm-mail/lvm-mail/internal/sqlitefile"
)

func open(t *testing.T, path, journal string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode="+journal)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// texts returns the "t" column of every row of a table, as this package
// reads it, sorted.
func texts(t *testing.T, img *sqlitefile.Image, table string, col int) []string {
	t.Helper()
	schema, err := img.Schema()
	if err != nil {
		t.Fatal(err)
	}
	tb, ok := schema[table]
	if !ok {
		t.Fatalf("no table %s in %v", table, schema)
	}
	rows, err := img.Rows(tb.Root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r.Values[col]))
	}
	slices.Sort(out)
	return out
}

func TestReadsWhatSQLiteWrote(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db := open(t, path, "DELETE")
	exec(t, db, `CREATE TABLE r (id INTEGER PRIMARY KEY, n INTEGER, t TEXT, b BLOB)`)
	exec(t, db, `CREATE TABLE w (k TEXT PRIMARY KEY, t TEXT) WITHOUT ROWID`)
	var want []string
	for i := range 300 {
		// Every tenth text is long enough to spill onto overflow pages.
		text := fmt.Sprintf("row %d %s", i, strings.Repeat("é", (i%10/9)*5000))
		want = append(want, text)
		exec(t, db, `INSERT INTO r (id, n, t, b) VALUES (?, ?, ?, ?)`, i*7919+1, -i*100000, text, []byte{byte(i)})
		exec(t, db, `INSERT INTO w (k, t) VALUES (?, ?)`, fmt.Sprintf("key %04d", i), text)
	}
	db.Close()
	img, err := sqlitefile.ParseDatabase(read(t, path))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	// Column 0 of r is the rowid alias, stored as NULL; t is column 2.
	if got := texts(t, img, "r", 2); !slices.Equal(got, want) {
		t.Errorf("table r: got %d texts, want %d (first %.40q)", len(got), len(want), got[0])
	}
	if got := texts(t, img, "w", 1); !slices.Equal(got, want) {
		t.Errorf("table w: got %d texts, want %d", len(got), len(want))
	}
	schema, _ := img.Schema()
	rows, _ := img.Rows(schema["r"].Root)
	if r := rows[5]; r.RowID != 5*7919+1 || r.Values[1] != int64(-500000) || string(r.Values[3].([]byte)) != "\x05" {
		t.Errorf("row 5: got rowid %d values %v", r.RowID, r.Values)
	}
}

func TestReadsHistoryFromLogAndJournal(t *testing.T) {
	dir := t.TempDir()
	// A write-ahead log keeps every commit until it is checkpointed.
	path := filepath.Join(dir, "wal.db")
	db := open(t, path, "WAL")
	exec(t, db, `PRAGMA wal_autocheckpoint = 0`)
	exec(t, db, `CREATE TABLE x (t TEXT)`)
	exec(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	for _, s := range []string{"first", "second", "third"} {
		exec(t, db, `INSERT INTO x (t) VALUES (?)`, s)
	}
	main, err := sqlitefile.ParseDatabase(read(t, path))
	if err != nil {
		t.Fatal(err)
	}
	_, commits, err := sqlitefile.ReadWAL(read(t, path+"-wal"))
	if err != nil {
		t.Fatal(err)
	}
	if len(commits) != 3 {
		t.Fatalf("got %d commits in the log, want 3", len(commits))
	}
	img := main
	for i, c := range commits {
		img = img.With(c)
		if got := texts(t, img, "x", 0); len(got) != i+1 {
			t.Errorf("after commit %d: got %v", i+1, got)
		}
	}

	// A persisted rollback journal keeps the pages as they were before.
	path = filepath.Join(dir, "journal.db")
	db = open(t, path, "PERSIST")
	exec(t, db, `CREATE TABLE x (t TEXT)`)
	exec(t, db, `INSERT INTO x (t) VALUES ('before')`)
	exec(t, db, `UPDATE x SET t = 'after'`)
	main, err = sqlitefile.ParseDatabase(read(t, path))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := sqlitefile.ReadJournal(read(t, path+"-journal"), main.PageSize)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(t, main, "x", 0); !slices.Equal(got, []string{"after"}) {
		t.Errorf("now: got %v", got)
	}
	if got := texts(t, main.With(pages), "x", 0); !slices.Equal(got, []string{"before"}) {
		t.Errorf("before the last transaction: got %v", got)
	}
}
