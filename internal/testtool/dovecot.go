package testtool

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A Dovecot is an IMAP server started for one test on loopback, with one
// user and an empty INBOX.
type Dovecot struct {
	Host     string
	Port     int
	User     string
	Password string
}

// StartDovecot starts Debian's Dovecot from a throwaway configuration: a
// free loopback port, plain IMAP (no TLS), one user from a passwd-file,
// mail in a Maildir under a temporary folder. It stops when the test ends.
// As root, Dovecot's login processes run as its own users (dovenull,
// dovecot), which the package creates; otherwise everything runs as the
// current user.
func StartDovecot(t testing.TB) *Dovecot {
	t.Helper()
	bin := DovecotBinary(t)
	// Dovecot's unprivileged processes must reach these folders: not
	// t.TempDir, which only its owner may enter.
	dir, err := os.MkdirTemp("", "lvm-mail-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"run", "state", "mail"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d := &Dovecot{Host: "127.0.0.1", Port: freePort(t), User: "bounces", Password: "bounce-box-password"}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(d.User+":{PLAIN}"+d.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var users, services string
	if os.Getuid() == 0 {
		u, err := user.Lookup("dovecot")
		if err != nil {
			t.Fatalf("Dovecot runs as root only with its own users, and there is no user dovecot: %v", err)
		}
		if err := chownTree(filepath.Join(dir, "mail"), u); err != nil {
			t.Fatal(err)
		}
		users = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
		services = "userdb {\n  driver = static\n  args = uid=dovecot gid=dovecot home=" + dir + "/mail/%u\n}\n"
	} else {
		me, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		users = "default_internal_user = " + me.Username + "\ndefault_internal_group = " + groupName(me) +
			"\ndefault_login_user = " + me.Username + "\n"
		services = "userdb {\n  driver = static\n  args = uid=" + me.Uid + " gid=" + me.Gid + " home=" + dir + "/mail/%u\n}\n" +
			"service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n"
	}
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:%[1]s/mail/%%u
%[2]spassdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
%[3]sservice imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[4]d
  }
  inet_listener imaps {
    port = 0
  }
}
`, dir, users, services, d.Port)
	confPath := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// Registered first, so it runs after Start has stopped Dovecot.
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot's log:\n%s", log)
		}
	})
	Start(t, bin, "-F", "-c", confPath)
	addr := net.JoinHostPort(d.Host, fmt.Sprint(d.Port))
	deadline := time.Now().Add(20 * time.Second)
	for {
		if greeted(addr) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("dovecot did not greet on %s within 20 s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// greeted reports whether an IMAP server at addr sends its "* OK" greeting.
func greeted(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK")
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func groupName(u *user.User) string {
	if g, err := user.LookupGroupId(u.Gid); err == nil {
		return g.Name
	}
	return u.Gid
}

func chownTree(root string, u *user.User) error {
	var uid, gid int
	if _, err := fmt.Sscan(u.Uid, &uid); err != nil {
		return err
	}
	if _, err := fmt.Sscan(u.Gid, &gid); err != nil {
		return err
	}
	return filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(path, uid, gid)
	})
}
