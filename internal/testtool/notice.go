package testtool

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// skipped records the programs Find did not find, for Main. Tests of one
// package may run in parallel.
var skipped = &skips{}

type skips struct {
	mu      sync.Mutex
	tests   int
	install map[string]string // program name to how to install it
}

func (m *skips) add(name, install string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.install == nil {
		m.install = map[string]string{}
	}
	m.tests++
	m.install[name] = install
}

// notice is the line that says what the package skipped, or "".
func (m *skips) notice(pkg string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tests == 0 {
		return ""
	}
	tests := "1 test"
	if m.tests > 1 {
		tests = fmt.Sprintf("%d tests", m.tests)
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(m.install)) {
		parts = append(parts, name+" is not installed; install it with: "+m.install[name])
	}
	return fmt.Sprintf("lvm-mail: %s: %s skipped: %s\n", pkg, tests, strings.Join(parts, "; "))
}

// Main runs the package's tests and then, if any was skipped for want of
// a program, prints one line naming the package, the programs and how to
// install them. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testtool.Main(m)) }
//
// 'go test' shows nothing that a passing package prints, standard error
// included, unless -v is given; so without -v the line goes to the
// terminal (/dev/tty) when there is one, and to standard error as well,
// which go test shows when the package fails. A result go test took from
// its cache prints nothing again; the cache is dropped when the program
// appears on PATH.
func Main(m *testing.M) int {
	code := m.Run()
	line := skipped.notice(strings.TrimSuffix(filepath.Base(os.Args[0]), ".test"))
	if line == "" {
		return code
	}
	io.WriteString(os.Stderr, line)
	if testing.Verbose() {
		return code
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		io.WriteString(tty, line)
		tty.Close()
	}
	return code
}
