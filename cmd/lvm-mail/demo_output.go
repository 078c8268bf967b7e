package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// demoWidth is the width the demo's output fits: a terminal's 80 columns.
const demoWidth = 80

// indenter writes each line it is given behind a prefix.
type indenter struct {
	w      io.Writer
	prefix string
	buf    []byte
}

func (in *indenter) Write(p []byte) (int, error) {
	in.buf = append(in.buf, p...)
	for {
		i := bytes.IndexAny(in.buf, "\n\r")
		if i < 0 {
			return len(p), nil
		}
		if _, err := fmt.Fprintf(in.w, "%s%s%c", in.prefix, in.buf[:i], in.buf[i]); err != nil {
			return 0, err
		}
		in.buf = in.buf[i+1:]
	}
}

func (in *indenter) flush() {
	if len(in.buf) > 0 {
		fmt.Fprintf(in.w, "%s%s\n", in.prefix, in.buf)
		in.buf = nil
	}
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

// A lineWrapper writes text to w, breaking each line longer than width
// columns at a space; a continuation is indented two columns more than the
// line it continues. A word longer than the line (a path) is not broken.
type lineWrapper struct {
	w     io.Writer
	width int
	buf   []byte
}

func (lw *lineWrapper) Write(p []byte) (int, error) {
	lw.buf = append(lw.buf, p...)
	for {
		i := bytes.IndexByte(lw.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		if err := lw.writeLine(string(lw.buf[:i])); err != nil {
			return 0, err
		}
		lw.buf = lw.buf[i+1:]
	}
}

// Flush writes what is left of a last line that has no line break.
func (lw *lineWrapper) Flush() error {
	if len(lw.buf) == 0 {
		return nil
	}
	err := lw.writeLine(string(lw.buf))
	lw.buf = nil
	return err
}

func (lw *lineWrapper) writeLine(line string) error {
	r := []rune(line)
	indent := len(r) - len([]rune(strings.TrimLeft(line, " ")))
	for len(r) > lw.width {
		cut := -1
		for i := lw.width; i > indent; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		if cut < 0 {
			break
		}
		if _, err := fmt.Fprintln(lw.w, strings.TrimRight(string(r[:cut]), " ")); err != nil {
			return err
		}
		rest := strings.TrimLeft(string(r[cut:]), " ")
		r = []rune(strings.Repeat(" ", indent+2) + rest)
	}
	_, err := fmt.Fprintln(lw.w, string(r))
	return err
}
