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

// Options are the dependencies of a Store. Zero fields take the real clock
// and crypto/rand.
type Options struct {
	Now  func() time.Time
	Rand io.Reader
}

// Open opens or creates the database at path and applies any migrations it
// has not seen.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	q.Set("_stmt_cache_size", "32") // reuse prepared statements: recording runs the same few
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
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
