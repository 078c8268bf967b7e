package campaign

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"
)

// A RosterRow is one row of a roster as a reader found it, for ImportRoster.
type RosterRow struct {
	Line     int          // where the row is in its file
	Member   *StaffMember // the person on the row; nil when it could not be read as one
	Problems []Problem    // what the reader found wrong with the row
}

// A StaffRef names a person in an import summary.
type StaffRef struct {
	Name, Email string
}

// ImportSummary counts what a roster import did and names the people it
// changed, up to ImportOptions.List of each kind: those added and updated
// in roster order, those deactivated by name.
type ImportSummary struct {
	Added, Updated, Unchanged, Deactivated int

	AddedPeople, UpdatedPeople, DeactivatedPeople []StaffRef
}

// ImportOptions changes how an import treats people missing from the
// roster, and how many people its summary names.
type ImportOptions struct {
	// DeactivateMissing marks active people absent from the roster inactive.
	DeactivateMissing bool
	// List is how many people of each kind (added, updated, deactivated)
	// the summary names; a negative List names them all.
	List int
}

// ImportStaff imports people given in memory, numbering them from 1 as
// their lines, as ImportRoster does from a roster "roster".
func (s *Store) ImportStaff(ctx context.Context, roster []StaffMember, opts ImportOptions) (ImportSummary, error) {
	rows := func(yield func(RosterRow, error) bool) {
		for i := range roster {
			m := roster[i]
			if !yield(RosterRow{Line: i + 1, Member: &m}, nil) {
				return
			}
		}
	}
	return s.ImportRoster(ctx, "roster", rows, opts)
}

// ImportRoster adds the people of a roster, read row by row, and updates
// those already known (matched by email) in place, in one transaction:
// either every person is imported or, on any problem, nothing changes.
//
// It checks every person (StaffMember.Problems) and that no email is on two
// rows, and keeps reading after a problem so as to report them all: the
// problems of the rows, with their lines, and those the reader reported
// (in RosterRow.Problems, or as an *InputError that ends the rows) come
// back as one *InputError from source. Any other error from rows is
// returned as it is. Memory does not grow with the roster: rows are
// checked and written as they come, and the emails already seen are kept
// in a temporary table.
func (s *Store) ImportRoster(ctx context.Context, source string, rows iter.Seq2[RosterRow, error], opts ImportOptions) (ImportSummary, error) {
	var sum ImportSummary
	problems := &InputError{Source: source}
	err := s.inTx(ctx, func(tx *sql.Tx, now time.Time) error {
		imp, err := startImport(ctx, tx, now, opts, &sum)
		if err != nil {
			return err
		}
		defer imp.close()
		for row, err := range rows {
			if err != nil {
				ie, ok := errors.AsType[*InputError](err)
				if !ok {
					return err
				}
				for _, p := range ie.Problems {
					problems.add(p)
				}
				problems.Omitted += ie.Omitted
				break
			}
			if err := imp.row(row, problems); err != nil {
				return err
			}
		}
		if err := problems.Err(); err != nil {
			return err
		}
		if opts.DeactivateMissing {
			if err := imp.deactivateMissing(); err != nil {
				return err
			}
		}
		return imp.finish()
	})
	if _, ok := errors.AsType[*InputError](err); ok {
		return ImportSummary{}, err
	}
	if err != nil {
		return ImportSummary{}, fmt.Errorf("import staff: %w", err)
	}
	return sum, nil
}

// A staffImport is one ImportRoster under way: its transaction, its
// statements and its summary.
type staffImport struct {
	ctx  context.Context
	tx   *sql.Tx
	now  string
	opts ImportOptions
	sum  *ImportSummary

	findSeen, addSeen, find, insert, update *sql.Stmt
}

// startImport makes the temporary table of the emails seen in this roster
// and prepares the statements each row runs.
func startImport(ctx context.Context, tx *sql.Tx, now time.Time, opts ImportOptions, sum *ImportSummary) (*staffImport, error) {
	// The table is dropped at the end, or with the transaction's rollback.
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS import_seen (
		email TEXT PRIMARY KEY,
		line  INTEGER NOT NULL
	) WITHOUT ROWID`); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.import_seen`); err != nil {
		return nil, err
	}
	imp := &staffImport{ctx: ctx, tx: tx, now: formatTime(now), opts: opts, sum: sum}
	for _, st := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&imp.findSeen, `SELECT line FROM temp.import_seen WHERE email = ?`},
		{&imp.addSeen, `INSERT INTO temp.import_seen (email, line) VALUES (?, ?) ON CONFLICT (email) DO NOTHING`},
		{&imp.find, `SELECT id, name, first_name, department, attributes, active FROM staff WHERE email = ?`},
		{&imp.insert, `INSERT INTO staff (email, name, first_name, department, attributes, active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?)`},
		{&imp.update, `UPDATE staff SET name = ?, first_name = ?, department = ?, attributes = ?, active = 1, updated_at = ?
			WHERE id = ?`},
	} {
		stmt, err := tx.PrepareContext(ctx, st.sql)
		if err != nil {
			imp.close()
			return nil, err
		}
		*st.stmt = stmt
	}
	return imp, nil
}

// close closes the prepared statements.
func (imp *staffImport) close() {
	for _, st := range []*sql.Stmt{imp.findSeen, imp.addSeen, imp.find, imp.insert, imp.update} {
		if st != nil {
			st.Close()
		}
	}
}

// row checks one row, adding its problems to problems, and writes its
// person when no row so far had a problem (the transaction is rolled back
// otherwise, so writing would be wasted).
func (imp *staffImport) row(row RosterRow, problems *InputError) error {
	for _, p := range row.Problems {
		p.Line = row.Line
		problems.add(p)
	}
	if row.Member == nil {
		return nil
	}
	m := *row.Member
	m.Email = NormalizeEmail(m.Email)
	for _, p := range m.Problems() {
		problems.Add(row.Line, p.Field, "%s", p.Message)
	}
	if ValidateEmail(m.Email) == nil {
		res, err := imp.addSeen.ExecContext(imp.ctx, m.Email, row.Line)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			var first int
			if err := imp.findSeen.QueryRowContext(imp.ctx, m.Email).Scan(&first); err != nil {
				return err
			}
			problems.Add(row.Line, ColumnEmail, "%s already on line %d", m.Email, first)
		}
	}
	if problems.Err() != nil {
		return nil
	}
	return imp.write(&m)
}

// write adds m, or updates the person with m's email when anything about
// them changed.
func (imp *staffImport) write(m *StaffMember) error {
	attrs, err := json.Marshal(nonNil(m.Attributes))
	if err != nil {
		return err
	}
	var (
		id                             int64
		name, first, dept, storedAttrs string
		active                         bool
	)
	err = imp.find.QueryRowContext(imp.ctx, m.Email).Scan(&id, &name, &first, &dept, &storedAttrs, &active)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := imp.insert.ExecContext(imp.ctx, m.Email, m.Name, m.FirstName, m.Department, string(attrs), imp.now, imp.now); err != nil {
			return fmt.Errorf("add %s: %w", m.Email, err)
		}
		imp.sum.Added++
		imp.sum.AddedPeople = imp.list(imp.sum.AddedPeople, m.Name, m.Email)
		return nil
	case err != nil:
		return err
	}
	// Attributes are always written by json.Marshal, which sorts the keys:
	// equal maps give equal text.
	if active && name == m.Name && first == m.FirstName && dept == m.Department && storedAttrs == string(attrs) {
		imp.sum.Unchanged++
		return nil
	}
	if _, err := imp.update.ExecContext(imp.ctx, m.Name, m.FirstName, m.Department, string(attrs), imp.now, id); err != nil {
		return fmt.Errorf("update %s: %w", m.Email, err)
	}
	imp.sum.Updated++
	imp.sum.UpdatedPeople = imp.list(imp.sum.UpdatedPeople, m.Name, m.Email)
	return nil
}

// list appends a person to a list of the summary while it is shorter than
// the options ask.
func (imp *staffImport) list(people []StaffRef, name, email string) []StaffRef {
	if imp.opts.List >= 0 && len(people) >= imp.opts.List {
		return people
	}
	return append(people, StaffRef{Name: name, Email: email})
}

// deactivateMissing marks inactive the active people the roster did not
// name.
func (imp *staffImport) deactivateMissing() error {
	const missing = `active = 1 AND email NOT IN (SELECT email FROM temp.import_seen)`
	rows, err := imp.tx.QueryContext(imp.ctx, `SELECT name, email FROM staff WHERE `+missing+` ORDER BY name, email`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name, email string
		if err := rows.Scan(&name, &email); err != nil {
			return err
		}
		imp.sum.DeactivatedPeople = imp.list(imp.sum.DeactivatedPeople, name, email)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	res, err := imp.tx.ExecContext(imp.ctx, `UPDATE staff SET active = 0, updated_at = ? WHERE `+missing, imp.now)
	if err != nil {
		return fmt.Errorf("deactivate: %w", err)
	}
	n, err := res.RowsAffected()
	imp.sum.Deactivated = int(n)
	return err
}

// finish drops the temporary table.
func (imp *staffImport) finish() error {
	_, err := imp.tx.ExecContext(imp.ctx, `DROP TABLE temp.import_seen`)
	return err
}
