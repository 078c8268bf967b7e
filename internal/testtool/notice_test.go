package testtool_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lvm-mail/lvm-mail/internal/testtool"
)

// TestSkipNotice runs 'go test' on a package whose test needs a program
// that is not installed, in a terminal as a newcomer would, without -v:
// the terminal shows one line saying what was skipped and how to install
// it. (go test shows nothing a passing package prints, stderr included, so
// the notice goes to the terminal itself.)
func TestSkipNotice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs another test binary")
	}
	script := testtool.Find(t, "script", "apt-get install -y bsdutils")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, testtool.RequireEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(script, "-qec", goBin+" test -count=1 ./testdata/skipper", "/dev/null")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in a terminal: %v\n%s", err, out)
	}
	want := "lvm-mail: skipper: 1 test skipped: lvm-mail-absent-program is not installed; install it with: apt-get install lvm-mail-absent-program"
	if got := strings.Count(string(out), want); got != 1 {
		t.Errorf("the terminal shows the notice %d times, want once:\n%s", got, out)
	}
	if !strings.Contains(string(out), "ok ") {
		t.Errorf("the package did not pass:\n%s", out)
	}

	// With -v the notice goes to standard error, which go test shows.
	cmd = exec.Command(goBin, "test", "-count=1", "-v", "./testdata/skipper")
	cmd.Env = env
	out, err = cmd.CombinedOutput()
	if err != nil || strings.Count(string(out), want) != 1 {
		t.Errorf("go test -v: %v, want the notice once:\n%s", err, out)
	}
}
