package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestFlagsAfterArguments: every flag of every command may come after the
// command's arguments, as DESIGN.md promises.
func TestFlagsAfterArguments(t *testing.T) {
	e := &env{}
	app := e.app()
	var walk func(path []string, cmds []*cli.Command)
	leaves := 0
	walk = func(path []string, cmds []*cli.Command) {
		for _, cmd := range cmds {
			p := append(slices.Clone(path), cmd.Name)
			if len(cmd.Subcommands) > 0 {
				walk(p, cmd.Subcommands)
				continue
			}
			leaves++
			for _, f := range cmd.Flags {
				flag := []string{"--" + f.Names()[0]}
				if v, ok := f.(interface{ TakesValue() bool }); ok && v.TakesValue() {
					flag = append(flag, "VALUE")
				}
				args := append(append([]string{"lvm-mail"}, p...), "ARG")
				args = append(args, flag...)
				want := append(append(append([]string{"lvm-mail"}, p...), flag...), "ARG")
				if got := reorderArgs(app, args); !slices.Equal(got, want) {
					t.Errorf("%s: got %q, want %q", strings.Join(args, " "), got, want)
				}
			}
		}
	}
	walk(nil, app.Commands)
	if leaves < 10 {
		t.Fatalf("found %d commands, want every command of the app", leaves)
	}

	for _, tc := range []struct{ in, want string }{
		{"lvm-mail staff import a.csv --deactivate-missing --verbose", "lvm-mail staff import --deactivate-missing --verbose a.csv"},
		{"lvm-mail campaign create --name X --where a=b --breakdown site", "lvm-mail campaign create --name X --where a=b --breakdown site"},
		{"lvm-mail campaign close pulse --db x.db", "lvm-mail --db x.db campaign close pulse"},
		{"lvm-mail report --campaign=c x --out=r.xlsx", "lvm-mail report --campaign=c --out=r.xlsx x"},
		{"lvm-mail staff import -- -odd.csv --verbose", "lvm-mail staff import -- -odd.csv --verbose"},
		{"lvm-mail staff import a.csv --bogus", "lvm-mail staff import --bogus a.csv"},
		{"lvm-mail --config c.toml staff list --all", "lvm-mail --config c.toml staff list --all"},
		{"lvm-mail frobnicate x --y", "lvm-mail frobnicate x --y"},
		{"lvm-mail help staff", "lvm-mail help staff"},
	} {
		if got := strings.Join(reorderArgs(app, strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestStaffImportFlagsAfterFile runs the command line the issue reported.
func TestStaffImportFlagsAfterFile(t *testing.T) {
	c := newShell(t)
	c.ok("staff", "import", c.write("staff.csv", hrExport))
	smaller := c.write("smaller.csv", strings.Join(strings.Split(hrExport, "\r\n")[:4], "\r\n"))
	out := c.ok("staff", "import", smaller, "--deactivate-missing")
	if !strings.Contains(out, "2 deactivated") {
		t.Errorf("staff import FILE --deactivate-missing said %q", out)
	}
	c.ok("campaign", "create", "--name", "Pulse")
	out = c.ok("campaign", "close", "pulse", "--db", c.path("lvm-mail.db"))
	if !strings.Contains(out, "Closed campaign pulse") {
		t.Errorf("campaign close CAMPAIGN --db FILE said %q", out)
	}
}
