package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// demoWidth is the width the demo's output fits: a terminal's 80 columns.
const demoWidth = 80

// lineWriter hands each line written to it, without its end (a line feed,
// or a carriage return that a progress line ends with), to a function.
type lineWriter struct {
	line func(text string, end byte) error
	buf  []byte
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.buf = append(lw.buf, p...)
	for {
		i := bytes.IndexAny(lw.buf, "\n\r")
		if i < 0 {
			return len(p), nil
		}
		if err := lw.line(string(lw.buf[:i]), lw.buf[i]); err != nil {
			return 0, err
		}
		lw.buf = lw.buf[i+1:]
	}
}

// Flush hands on what is left of a last line that has no end.
func (lw *lineWriter) Flush() error {
	if len(lw.buf) == 0 {
		return nil
	}
	err := lw.line(string(lw.buf), '\n')
	lw.buf = nil
	return err
}

// newIndenter returns a writer that writes each line behind a prefix.
func newIndenter(w io.Writer, prefix string) *lineWriter {
	return &lineWriter{line: func(text string, end byte) error {
		_, err := fmt.Fprintf(w, "%s%s%c", prefix, text, end)
		return err
	}}
}

// shellQuote joins args as a user would type them.
func shellQuote(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if a == "" || strings.ContainsAny(a, " '\"$&;|<>*?") {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

// shellLines lays out a command as a user would type it, quoted, in lines
// of at most width columns: the first behind prompt, the others behind
// indent, each but the last ending in a backslash. A flag stays on the line
// of its value.
func shellLines(args []string, prompt, indent string, width int) []string {
	var words []string
	for i := 0; i < len(args); i++ {
		w := shellQuote(args[i : i+1])
		if strings.HasPrefix(args[i], "-") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			w += " " + shellQuote(args[i+1:i+2])
			i++
		}
		words = append(words, w)
	}
	var lines []string
	line := prompt
	for i, w := range words {
		switch {
		case i == 0:
			line += w
		case len([]rune(line))+1+len([]rune(w))+2 > width:
			lines = append(lines, line+" \\")
			line = indent + w
		default:
			line += " " + w
		}
	}
	return append(lines, line)
}

// newLineWrapper returns a writer that breaks each line longer than width
// columns at a space; a continuation is indented two columns more than the
// line it continues. A word longer than the line (a path) is not broken.
func newLineWrapper(w io.Writer, width int) *lineWriter {
	return &lineWriter{line: func(text string, end byte) error {
		r := []rune(text)
		indent := len(r) - len([]rune(strings.TrimLeft(text, " ")))
		for len(r) > width {
			cut := -1
			for i := width; i > indent; i-- {
				if r[i] == ' ' {
					cut = i
					break
				}
			}
			if cut < 0 {
				break
			}
			if _, err := fmt.Fprintln(w, strings.TrimRight(string(r[:cut]), " ")); err != nil {
				return err
			}
			r = []rune(strings.Repeat(" ", indent+2) + strings.TrimLeft(string(r[cut:]), " "))
		}
		_, err := fmt.Fprintf(w, "%s%c", string(r), end)
		return err
	}}
}
