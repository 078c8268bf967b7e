package survey_test

import (
	"os"
	"testing"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// TestMain says on the terminal which tests were skipped for want of a
// program, and how to install it.
func TestMain(m *testing.M) { os.Exit(testtool.Main(m)) }
