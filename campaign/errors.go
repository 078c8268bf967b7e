package campaign

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors returned by the store. Callers test for them with errors.Is.
var (
	ErrCampaignNotFound  = errors.New("campaign: no such campaign")
	ErrCampaignExists    = errors.New("campaign: a campaign with this name already exists")
	ErrCampaignClosed    = errors.New("campaign: campaign is closed")
	ErrNoRecipients      = errors.New("campaign: no active staff match")
	ErrRecipientNotFound = errors.New("campaign: no such recipient")
	ErrTokenUnknown      = errors.New("campaign: unknown token")
	ErrTokenUsed         = errors.New("campaign: response already recorded")
	ErrTokenKeyMismatch  = errors.New("campaign: token key does not belong to this database")
	ErrUnknownColumn     = errors.New("campaign: unknown roster column")
)

// A Problem is one thing wrong with a piece of input: a roster row, an
// instrument entry or a form field.
type Problem struct {
	Line    int    // 1-based line in the source; 0 when lines do not apply
	Field   string // the column, key or form field concerned; may be empty
	Message string // what is wrong, in words a user can act on
}

// String formats the problem as "line 4: email: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, "%s: ", p.Field)
	}
	b.WriteString(p.Message)
	return b.String()
}

// MaxProblems is the most problems an InputError lists; it counts the
// rest. A roster of 200,000 bad lines gives the first hundred, not a
// screenful for each.
const MaxProblems = 100

// An InputError lists the problems found in one piece of input, up to
// MaxProblems of them, and counts the others. Whatever returned it changed
// nothing.
type InputError struct {
	Source   string // the file or the kind of input, e.g. "staff.csv"
	Problems []Problem
	Omitted  int // problems found beyond MaxProblems, not listed
}

// Error lists the problems, one a line.
func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	switch {
	case len(e.Problems) == 0:
		b.WriteString(": invalid")
	case len(e.Problems) == 1 && e.Omitted == 0:
		b.WriteString(": ")
		b.WriteString(e.Problems[0].String())
	default:
		fmt.Fprintf(&b, ": %d problems:", len(e.Problems)+e.Omitted)
		for _, p := range e.Problems {
			b.WriteString("\n  ")
			b.WriteString(p.String())
		}
		if e.Omitted > 0 {
			fmt.Fprintf(&b, "\n  … and %d more", e.Omitted)
		}
	}
	return b.String()
}

// Add records a problem, or counts it in Omitted once MaxProblems are
// listed.
func (e *InputError) Add(line int, field, format string, args ...any) {
	e.add(Problem{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (e *InputError) add(p Problem) {
	if len(e.Problems) >= MaxProblems {
		e.Omitted++
		return
	}
	e.Problems = append(e.Problems, p)
}

// Err returns e when it holds a problem and nil otherwise, so that a
// validator can end with "return problems.Err()".
func (e *InputError) Err() error {
	if len(e.Problems) == 0 && e.Omitted == 0 {
		return nil
	}
	return e
}
