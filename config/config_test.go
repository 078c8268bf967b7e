package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/config"
)

func noEnv(string) string { return "" }

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lvm-mail.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultsWork(t *testing.T) {
	t.Chdir(t.TempDir()) // no lvm-mail.toml here
	c, err := config.Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "" || c.Database != "lvm-mail.db" || c.Survey.MinGroupSize != 5 || c.SMTP.RetryBackoff != config.Duration(time.Second) {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestExampleFileIsComplete(t *testing.T) {
	c, err := config.Load("../config.example.toml", noEnv)
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	want := config.Default()
	want.File = "../config.example.toml"
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config.example.toml differs from the defaults:\ngot  %+v\nwant %+v", c, want)
	}
	text, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range config.Keys() {
		name := key[strings.LastIndex(key, ".")+1:]
		if !strings.Contains(string(text), "\n"+name+" ") {
			t.Errorf("config.example.toml does not document %s", key)
		}
	}
}

func TestFileAndEnvironment(t *testing.T) {
	path := writeConfig(t, `
organisation = "Acme"
[smtp]
host = "mail.acme.test"
port = 465
tls = "tls"
rate = 2.5
retry_backoff = "250ms"
[survey]
remind_after = "48h"
`)
	c, err := config.Load(path, env(map[string]string{
		"LVM_MAIL_SMTP_HOST":             "relay.acme.test",
		"LVM_MAIL_SURVEY_MIN_GROUP_SIZE": "7",
		"LVM_MAIL_BASE_URL":              "https://survey.acme.test",
		"LVM_MAIL_SMTP_PASSWORD":         "s3cret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"organisation", c.Organisation, "Acme"},
		{"smtp.host (env wins)", c.SMTP.Host, "relay.acme.test"},
		{"smtp.port", c.SMTP.Port, 465},
		{"smtp.tls", c.SMTP.TLS, "tls"},
		{"smtp.rate", c.SMTP.Rate, 2.5},
		{"smtp.retry_backoff", time.Duration(c.SMTP.RetryBackoff), 250 * time.Millisecond},
		{"survey.remind_after", time.Duration(c.Survey.RemindAfter), 48 * time.Hour},
		{"survey.min_group_size", c.Survey.MinGroupSize, 7},
		{"base_url", c.BaseURL, "https://survey.acme.test"},
		{"password", c.SMTP.Password, "s3cret"},
		{"file", c.File, path},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestPasswordFile(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(writeConfig(t, "[smtp]\npassword_file = \""+pw+"\"\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Password != "from-file" {
		t.Errorf("got password %q, want from-file", c.SMTP.Password)
	}
}

func TestDeliverabilitySettings(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "imap-pw")
	if err := os.WriteFile(pw, []byte("imap-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, `
[smtp.dkim]
domain = "example.com"
selector = "lvm2026"
key_file = "dkim.pem"
[bounces]
host = "imap.example.com"
username = "people@example.com"
password_file = "`+pw+`"
`)
	c, err := config.Load(path, env(map[string]string{"LVM_MAIL_SMTP_DKIM_SELECTOR": "from-env", "LVM_MAIL_BOUNCES_FOLDER": "Bounces"}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Bounces{Host: "imap.example.com", Port: 993, TLS: "tls", Username: "people@example.com", PasswordFile: pw,
		Folder: "Bounces", Password: "imap-secret"}
	if c.Bounces != want {
		t.Errorf("bounces: got %+v, want %+v", c.Bounces, want)
	}
	if d := c.SMTP.DKIM; d != (config.DKIM{Domain: "example.com", Selector: "from-env", KeyFile: "dkim.pem"}) || !d.Enabled() {
		t.Errorf("dkim: got %+v", d)
	}
	c, err = config.Load(path, env(map[string]string{"LVM_MAIL_BOUNCES_PASSWORD": "env-wins"}))
	if err != nil || c.Bounces.Password != "env-wins" || c.SMTP.Password != "" {
		t.Errorf("passwords: bounces %q, smtp %q (%v)", c.Bounces.Password, c.SMTP.Password, err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want []string // phrases the error must contain
	}{
		{"UnknownKey", "[smtp]\nhots = \"x\"\n", nil, []string{"lvm-mail.toml", "unknown key smtp.hots"}},
		{"WrongType", "[smtp]\nport = \"587\"\n", nil, []string{"lvm-mail.toml", "smtp.port"}},
		{"BadDuration", "[survey]\nremind_after = \"3 days\"\n", nil, []string{"lvm-mail.toml", "remind_after"}},
		{"PasswordInFile", "[smtp]\npassword = \"x\"\n", nil, []string{"smtp.password", "LVM_MAIL_SMTP_PASSWORD"}},
		{"BadTLS", "[smtp]\ntls = \"ssl\"\n", nil, []string{"smtp.tls", `"ssl"`}},
		{"GroupTooSmall", "[survey]\nmin_group_size = 2\n", nil, []string{"survey.min_group_size", "below 3"}},
		{"BadBaseURL", "base_url = \"survey.example.com\"\n", nil, []string{"base_url"}},
		{"CertWithoutKey", "[server]\ntls_cert = \"c.pem\"\n", nil, []string{"server.tls_cert"}},
		{"BadEnvNumber", "", map[string]string{"LVM_MAIL_SMTP_PORT": "five"}, []string{"LVM_MAIL_SMTP_PORT", `"five" is not a whole number`}},
		{"BadEnvDuration", "", map[string]string{"LVM_MAIL_SURVEY_REMIND_AFTER": "soon"}, []string{"LVM_MAIL_SURVEY_REMIND_AFTER"}},
		{"BouncesPasswordInFile", "[bounces]\npassword = \"x\"\n", nil, []string{"bounces.password", "LVM_MAIL_BOUNCES_PASSWORD"}},
		{"BadBouncesTLS", "[bounces]\ntls = \"imaps\"\n", nil, []string{"bounces.tls", `"imaps"`}},
		{"EmptyBouncesFolder", "[bounces]\nfolder = \"\"\n", nil, []string{"bounces.folder"}},
		{"HalfDKIM", "[smtp.dkim]\ndomain = \"example.com\"\n", nil, []string{"smtp.dkim", "go together"}},
		{"UnknownDKIMKey", "[smtp.dkim]\nkey = \"k.pem\"\n", nil, []string{"unknown key smtp.dkim.key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeConfig(t, tt.file), env(tt.env))
			if err == nil {
				t.Fatal("got no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("MissingExplicitFile", func(t *testing.T) {
		if _, err := config.Load(filepath.Join(t.TempDir(), "none.toml"), noEnv); err == nil {
			t.Error("a --config file that does not exist must be an error")
		}
	})
}

// TestErrorsNeverRepeatSecrets: whatever is wrong on a line that sets a
// secret, the error names the file, the line and the key but never the
// value.
func TestErrorsNeverRepeatSecrets(t *testing.T) {
	for _, file := range []string{
		"[smtp]\npassword = Unquoted\n",
		"[smtp]\npassword = Hunter2Hunter2\n",
		"[smtp]\npassword = \"Hunter2\\q\"\n",
		"[smtp]\npassword = \"Hunter2Hunter2\n",
		"[smtp]\npassword = 12Hunter2Hunter2\n",
		"[smtp]\npassword = \"\"\"Hunter2Hunter2\n",
		"[smtp]\npassword = 'Hunter2Hunter2\n",
		"[smtp]\nsmtp_password = Hunter2Hunter2\n",
		"[smtp]\nusername = \"u\"\npassword=Hunter2Hunter2 # secret\n",
		"[smtp]\nclient_secret = Hunter2Hunter2\n",
	} {
		_, err := config.Load(writeConfig(t, file), noEnv)
		if err == nil {
			t.Errorf("%q: got no error", file)
			continue
		}
		msg := err.Error()
		for _, secret := range []string{"Unquoted", "Hunter", "unter2", "2H", `\q`} {
			if strings.Contains(strings.ReplaceAll(msg, "lvm-mail.toml", ""), secret) {
				t.Errorf("%q: the error %q repeats part of the secret (%q)", file, msg, secret)
			}
		}
		if !strings.Contains(msg, "lvm-mail.toml") || !strings.Contains(msg, "line ") {
			t.Errorf("%q: the error %q does not name the file and the line", file, msg)
		}
	}
	// Other keys keep the parser's own, more precise message.
	_, err := config.Load(writeConfig(t, "organisation = Acme\n"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "Acme") {
		t.Errorf("got %v, want the parser's message quoting the value of a key that is no secret", err)
	}
}

// TestDurationsInDays: durations take days as well as Go's units, in the
// file and in the environment, and a bad one is refused saying the format.
func TestDurationsInDays(t *testing.T) {
	for _, tc := range []struct {
		text string
		want time.Duration
	}{
		{"3d", 72 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"2d30m", 48*time.Hour + 30*time.Minute},
		{"72h", 72 * time.Hour},
		{"0s", 0},
	} {
		c, err := config.Load(writeConfig(t, "[survey]\nremind_after = \""+tc.text+"\"\n"), noEnv)
		if err != nil || time.Duration(c.Survey.RemindAfter) != tc.want {
			t.Errorf("remind_after = %q: got %v, %v; want %v", tc.text, time.Duration(c.Survey.RemindAfter), err, tc.want)
		}
		c, err = config.Load(writeConfig(t, ""), env(map[string]string{"LVM_MAIL_SURVEY_REMIND_AFTER": tc.text}))
		if err != nil || time.Duration(c.Survey.RemindAfter) != tc.want {
			t.Errorf("LVM_MAIL_SURVEY_REMIND_AFTER=%s: got %v, %v; want %v", tc.text, time.Duration(c.Survey.RemindAfter), err, tc.want)
		}
	}
	for _, bad := range []string{"3 days", "d", "3dd", "1d2d", "3x", "h3d"} {
		_, err := config.Load(writeConfig(t, "[survey]\nremind_after = \""+bad+"\"\n"), noEnv)
		if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), `"3d"`) || !strings.Contains(err.Error(), `"1d12h"`) {
			t.Errorf("remind_after = %q: got %v, want an error on line 2 that gives the format with examples", bad, err)
		}
		_, err = config.Load(writeConfig(t, ""), env(map[string]string{"LVM_MAIL_SMTP_TIMEOUT": bad}))
		if err == nil || !strings.Contains(err.Error(), "LVM_MAIL_SMTP_TIMEOUT") || !strings.Contains(err.Error(), `"3d"`) {
			t.Errorf("LVM_MAIL_SMTP_TIMEOUT=%s: got %v, want the variable and the format", bad, err)
		}
	}
}

func TestDefaultLanguage(t *testing.T) {
	c, err := config.Load(writeConfig(t, "[survey]\ndefault_language = \"de_ch\"\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Survey.DefaultLanguage != "de-CH" {
		t.Errorf("got %q, want the tag written canonically, de-CH", c.Survey.DefaultLanguage)
	}
	c, err = config.Load("", env(map[string]string{"LVM_MAIL_SURVEY_DEFAULT_LANGUAGE": "fr"}))
	if err != nil || c.Survey.DefaultLanguage != "fr" {
		t.Errorf("from the environment: got %q, %v, want fr", c.Survey.DefaultLanguage, err)
	}
	path := writeConfig(t, "[survey]\ndefault_language = \"German\"\n")
	_, err = config.Load(path, noEnv)
	if err == nil || !strings.Contains(err.Error(), path+": survey.default_language: \"German\" is not a BCP 47 language tag") {
		t.Errorf("got %v, want the key and the problem named", err)
	}
}
