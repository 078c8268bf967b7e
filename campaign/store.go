package campaign

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// A Store keeps staff, campaigns, recipients and responses in one SQLite
// file. It is safe for concurrent use, and several processes (send, remind,
// serve) may use the same file at once.
type Store struct {
	db   *sql.DB
	now  func() time.Time
	rand io.Reader
}

// Options are the dependencies of a Store and how to open it. Zero fields
// take the real clock and crypto/rand.
type Options struct {
	Now  func() time.Time
	Rand io.Reader
	// MustExist refuses to create a database: Open returns an error
	// wrapping fs.ErrNotExist when there is no file at the path. Commands
	// that only read or serve set it, so that one started in the wrong
	// folder says so instead of working on an empty database.
	MustExist bool
}

// Open opens the database at path, or creates it unless opts.MustExist, and
// applies any migrations it has not seen. The path is a plain file name:
// '#', '?' and '%' in it are not read as URI syntax.
//
// The files keep no history, so that a copy of them taken at any moment
// holds nothing that an answer could be traced back with (see
// migrations/0002_history_free.sql for how answers are stored):
//   - a rollback journal, not a write-ahead log: the journal holds the pages
//     of one transaction while it commits, and is deleted once it has; a
//     write-ahead log would keep every commit, page by page, until it is
//     checkpointed;
//   - secure_delete, so that a freed cell or page is overwritten with zeros
//     and no old version of a row stays in free space;
//   - synchronous=FULL, which a rollback journal needs so that a power cut
//     cannot lose a committed answer.
//
// The database file and everything SQLite makes beside it are readable and
// writable by the owner only (0600): a new file is made so, and an existing
// one that others may read is made so.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if err := prepareFile(path, !opts.MustExist); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("mode", "rw") // prepareFile made the file; SQLite must not make one elsewhere
	q.Set("_journal_mode", "DELETE")
	q.Set("_secure_delete", "on")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_stmt_cache_size", "32") // reuse prepared statements: recording runs the same few
	db, err := sql.Open("sqlite3", "file:"+escapePath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db, now: opts.Now, rand: opts.Rand}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return s, nil
}

// prepareFile makes sure the database file exists with mode 0600, creating
// an empty one when create is set, and makes any file SQLite keeps beside
// it private too. SQLite gives its journal the mode of the database file.
func prepareFile(path string, create bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("create database: %w", err)
		}
		return f.Close()
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no database at %s: %w", path, fs.ErrNotExist)
	case err != nil:
		return fmt.Errorf("open database: %w", err)
	case fi.IsDir():
		return fmt.Errorf("open database: %s is a folder", path)
	}
	for _, name := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		if err := makePrivate(name); err != nil {
			return err
		}
	}
	return nil
}

// makePrivate takes away the permissions of group and others from a file
// that exists.
func makePrivate(name string) error {
	fi, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(name, fi.Mode().Perm()&0o700); err != nil {
		return fmt.Errorf("make %s readable by its owner only: %w", name, err)
	}
	return nil
}

// escapePath writes a file name for a "file:" URI: SQLite would read '?'
// as the start of the parameters, '#' as a fragment and '%' as an escape.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.Clean(path))
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrate applies the embedded migrations in order, each in its own
// transaction, and records them in schema_migrations.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: %s: name must start with a number", name)
		}
		script, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		err = s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return fmt.Errorf("%s: %w", base, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, formatTime(now))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// inTx runs fn in one immediate transaction with one timestamp, in UTC, for
// everything it writes. It commits when fn returns nil and rolls back
// otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx, now time.Time) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx, s.now().UTC()); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// CheckTokenKey makes sure key is the key this database's links were made
// with. The first key checked is recorded (as a fingerprint, never the key
// itself). It returns ErrTokenKeyMismatch for any other key.
func (s *Store) CheckTokenKey(ctx context.Context, key *TokenKey) error {
	fp := key.fingerprint()
	return s.inTx(ctx, func(tx *sql.Tx, _ time.Time) error {
		var stored []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'token_key_fingerprint'`).Scan(&stored)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('token_key_fingerprint', ?)`, fp)
			return err
		case err != nil:
			return err
		case string(stored) != string(fp):
			return ErrTokenKeyMismatch
		}
		return nil
	})
}

// TokenKeyKnown reports whether a token key has been recorded, that is,
// whether links made with a key may exist.
func (s *Store) TokenKeyKnown(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE name = 'token_key_fingerprint'`).Scan(&n)
	return n > 0, err
}

// isUniqueViolation reports whether err is SQLite refusing a duplicate in a
// UNIQUE or PRIMARY KEY column.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime formats t, or gives NULL for the zero time.
func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// parseTime reads a time written by formatTime; NULL gives the zero time.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s.String)
}

// Backup writes a copy of the database to path, which must not exist: a
// fresh file, made with VACUUM INTO from one consistent moment (it is safe
// while serve, send or remind write), with no journal, no free pages and
// every table rewritten in key order, so that it keeps no history and no
// order of answering. It is made readable by its owner only. The token key
// is not in it.
func (s *Store) Backup(ctx context.Context, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	f.Close()
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}

// Compact rewrites the whole database file (VACUUM): every table in key
// order, which is random for responses and comments, and no free pages. It
// is how a closed campaign's file loses the order in which the last
// comments were written.
func (s *Store) Compact(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("rewrite the database: %w", err)
	}
	return nil
}

// DatabaseID returns the random id that names this database, so that a
// sender can check that the survey it links to runs on the same database.
func (s *Store) DatabaseID(ctx context.Context) (string, error) {
	var id string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'database_id'`).Scan(&id); err != nil {
		return "", fmt.Errorf("read the database id: %w", err)
	}
	return id, nil
}
