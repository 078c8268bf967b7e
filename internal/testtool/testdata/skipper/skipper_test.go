// Package skipper is a test package whose only test needs a program that
// is never installed, for TestSkipNotice.
package skipper

import (
	"os"
	"testing"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

func TestMain(m *testing.M) { os.Exit(testtool.Main(m)) }

func TestNeedsAProgram(t *testing.T) {
	testtool.Find(t, "lvm-mail-absent-program", "apt-get install lvm-mail-absent-program")
}

func TestNeedsNothing(t *testing.T) {}
