package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/internal/sqlitefile"
)

// runHere runs lvm-mail in the test's working folder with args only: no
// --config and no --db, as a user would type it.
func runHere(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"lvm-mail"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), exitCode(err)
}

// TestNoAccidentalDatabase: the commands that only read or serve never
// create a database. Run where there is none, they exit 1 and name the
// path they looked for and where it came from.
func TestNoAccidentalDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	commands := [][]string{
		{"serve"}, {"status", "--campaign", "x"}, {"report", "--campaign", "x"},
		{"staff", "list"}, {"campaign", "list"}, {"backup", "copy.db"},
	}
	for _, src := range []struct {
		name   string
		env    map[string]string
		flags  []string
		config string
		path   string
		from   string
	}{
		{"Default", nil, nil, "", "lvm-mail.db", "(from the default)"},
		{"Flag", nil, []string{"--db", "elsewhere/team.db"}, "", "elsewhere/team.db", "(from --db)"},
		{"Config", nil, nil, "database = \"hr/lvm.db\"\n", "hr/lvm.db", "(from database in lvm-mail.toml)"},
		{"Environment", map[string]string{"LVM_MAIL_DATABASE": "env.db"}, nil, "", "env.db", "(from LVM_MAIL_DATABASE)"},
	} {
		t.Run(src.name, func(t *testing.T) {
			os.Remove("lvm-mail.toml")
			if src.config != "" {
				if err := os.WriteFile("lvm-mail.toml", []byte(src.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for _, cmd := range commands {
				_, errOut, code := runHere(t, src.env, append(append([]string{}, src.flags...), cmd...)...)
				if code != 1 || !strings.Contains(errOut, "no database at "+src.path+" "+src.from) {
					t.Errorf("lvm-mail %s: exit %d, said %q; want exit 1 naming %s %s", strings.Join(cmd, " "), code, errOut, src.path, src.from)
				}
			}
			entries, _ := os.ReadDir(".")
			for _, e := range entries {
				if e.Name() != "lvm-mail.toml" {
					t.Errorf("the refused commands left %s behind", e.Name())
				}
			}
		})
	}
}

// TestServeRefusesNoOpenCampaign: a database whose campaigns are all closed
// is not served; every link would say "closed".
func TestServeRefusesNoOpenCampaign(t *testing.T) {
	c := newShell(t)
	surveyDB(t, c)
	writeConfig(c, `listen = "127.0.0.1:0"`)
	c.ok("campaign", "close", "pulse")
	if errOut := c.fails(1, "serve"); !strings.Contains(errOut, "no open campaign in "+c.path("lvm-mail.db")) {
		t.Errorf("serve with every campaign closed: %q", errOut)
	}
}

// mode returns the permission bits of a file.
func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestFileModes: the database, the journal SQLite makes beside it, backups
// and the key are the owner's only; an existing database others may read
// is made private; a key file others may read is refused, with the chmod
// that fixes it.
func TestFileModes(t *testing.T) {
	c := newShell(t)
	c.write("staff.csv", "email,name,department\nann@example.com,Ann,Sales\nbob@example.com,Bob,Sales\n")
	c.ok("staff", "import", c.path("staff.csv"))
	c.ok("campaign", "create", "--name", "Pulse")
	db := c.path("lvm-mail.db")
	for _, p := range []string{db, db + ".key"} {
		if m := mode(t, p); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), m)
		}
	}

	// SQLite's journal, caught while a transaction holds it open.
	store := openForJournal(t, db)
	if m := mode(t, db+"-journal"); m != 0o600 {
		t.Errorf("the journal has mode %04o, want 0600", m)
	}
	store()

	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	c.ok("campaign", "list")
	if m := mode(t, db); m != 0o600 {
		t.Errorf("a database others could read: mode %04o after opening it, want 0600", m)
	}

	c.ok("backup", c.path("copy.db"))
	if m := mode(t, c.path("copy.db")); m != 0o600 {
		t.Errorf("the backup has mode %04o, want 0600", m)
	}

	if err := os.Chmod(db+".key", 0o644); err != nil {
		t.Fatal(err)
	}
	errOut := c.fails(1, "campaign", "create", "--name", "Again")
	if !strings.Contains(errOut, db+".key may be read by others") || !strings.Contains(errOut, "chmod 600 "+db+".key") {
		t.Errorf("a key file others may read: %q, want it refused with the chmod that fixes it", errOut)
	}
}

// openForJournal begins a write transaction on the database through
// SQLite, so that its rollback journal exists, and returns the function
// that ends it.
func openForJournal(t *testing.T, path string) func() {
	t.Helper()
	db, err := sqlOpen("file:" + path + "?_journal_mode=DELETE&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE settings SET value = value WHERE name = 'database_id'`); err != nil {
		t.Fatal(err)
	}
	// Enough changed pages to make SQLite write them to the journal.
	if _, err := tx.Exec(`CREATE TABLE filler AS SELECT randomblob(100000) AS b`); err != nil {
		t.Fatal(err)
	}
	return func() {
		tx.Rollback()
		db.Close()
	}
}

// TestPathsWithURISyntax: '#', '?' and '%' in a database path are plain
// characters of a file name, and the key goes beside that very file.
func TestPathsWithURISyntax(t *testing.T) {
	c := newShell(t)
	dir := filepath.Join(c.dir, "team#1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "x?_foreign_keys=off&%41.db")
	c.write("staff.csv", "email,name,department\nann@example.com,Ann,Sales\n")
	for _, args := range [][]string{{"staff", "import", c.path("staff.csv")}, {"campaign", "create", "--name", "Pulse"}, {"campaign", "list"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"lvm-mail", "--db", db}, args...), func(string) string { return "" },
			strings.NewReader(""), &out, &errOut)
		if err != nil {
			t.Fatalf("lvm-mail --db %q %s: %v\n%s", db, strings.Join(args, " "), err, errOut.String())
		}
	}
	for _, p := range []string{db, db + ".key"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v, want it at exactly that path", p, err)
		}
	}
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		if e.Name() != "team#1" && e.Name() != "staff.csv" {
			t.Errorf("found %s: the path was read as a URI", e.Name())
		}
	}
	// The parameters in the name did not reach SQLite: foreign keys are on.
	sdb, err := sqlOpen("file:" + escapeForTest(db) + "?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var n int
	if err := sdb.QueryRow(`SELECT count(*) FROM campaigns`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the database at the literal path holds %d campaigns (%v), want 1", n, err)
	}
}

func escapeForTest(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// TestBackupWhileServing: a backup taken while serve records answers opens,
// gives the same report as the database it copies, holds no free pages and
// comes with no journal, and the key is not in it.
func TestBackupWhileServing(t *testing.T) {
	c := newShell(t)
	var roster strings.Builder
	roster.WriteString("email,name,department\n")
	for i := range 12 {
		fmt.Fprintf(&roster, "p%02d@example.com,Person %02d,Sales\n", i, i)
	}
	c.write("staff.csv", roster.String())
	writeConfig(c, `listen = "127.0.0.1:0"`)
	c.ok("staff", "import", c.path("staff.csv"))
	c.ok("campaign", "create", "--name", "Pulse")
	srv := startServe(t, c)
	toks := slices.Collect(maps.Values(c.tokensOf("pulse")))
	items := instrument.Default().Items
	for i, tok := range toks {
		form := url.Values{"comment": {fmt.Sprintf("Comment %d", i)}}
		for j, it := range items {
			form.Set(it.ID, fmt.Sprint(1+(i*j)%5))
		}
		resp, err := http.PostForm("http://"+srv.addr+"/s/"+tok, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i == 5 {
			out := c.ok("backup", c.path("mid.db"))
			if !strings.Contains(out, c.path("lvm-mail.db.key")) || !strings.Contains(out, "back that file up separately") {
				t.Errorf("backup does not say where the key is and that it must be backed up apart:\n%s", out)
			}
		}
	}
	srv.stop()
	c.ok("backup", c.path("copy.db"))
	if errOut := c.fails(1, "backup", c.path("copy.db")); !strings.Contains(errOut, "exists already") {
		t.Errorf("a backup over an existing file: %q", errOut)
	}
	c.ok("campaign", "close", "pulse")

	for _, p := range []string{c.path("mid.db"), c.path("copy.db")} {
		for _, side := range []string{"-journal", "-wal", "-shm", ".key"} {
			if _, err := os.Stat(p + side); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s%s exists beside the backup", filepath.Base(p), side)
			}
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := sqlitefile.ParseDatabase(b)
		if err != nil {
			t.Fatal(err)
		}
		if free := binary.BigEndian.Uint32(b[36:]); free != 0 {
			t.Errorf("%s has %d free pages", filepath.Base(p), free)
		}
		if _, err := img.Schema(); err != nil {
			t.Errorf("%s does not read as a database: %v", filepath.Base(p), err)
		}
	}

	// The same report from the copy (taken after the last answer) as from
	// the database itself.
	report := func(db string) map[string]any {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"lvm-mail", "--db", db, "report", "--campaign", "pulse", "--format", "json"},
			func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		if err != nil {
			t.Fatalf("report on %s: %v\n%s", db, err, errOut.String())
		}
		var rep map[string]any
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	orig, copied := report(c.path("lvm-mail.db")), report(c.path("copy.db"))
	for _, k := range []string{"responded", "leadership", "management", "balance", "items"} {
		if fmt.Sprint(orig[k]) != fmt.Sprint(copied[k]) {
			t.Errorf("%s: the database says %v, the backup %v", k, orig[k], copied[k])
		}
	}
	if orig["responded"] != float64(len(toks)) {
		t.Errorf("responded %v, want %d", orig["responded"], len(toks))
	}
}

func sqlOpen(dsn string) (*sql.DB, error) { return sql.Open("sqlite3", dsn) }
