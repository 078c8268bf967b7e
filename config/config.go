// Package config loads lvm-mail's settings: built-in defaults, then the TOML
// file, then LVM_MAIL_* environment variables, in that order of precedence.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// DefaultFile is the config file read when --config is not given and it
// exists in the working directory.
const DefaultFile = "lvm-mail.toml"

// EnvPrefix starts every environment variable that overrides a setting:
// LVM_MAIL_SMTP_HOST overrides [smtp] host.
const EnvPrefix = "LVM_MAIL_"

// PasswordEnv holds the SMTP password. It is never read from the TOML file.
const PasswordEnv = "LVM_MAIL_SMTP_PASSWORD"

// BouncesPasswordEnv holds the password of the bounce mailbox. It is never
// read from the TOML file either.
const BouncesPasswordEnv = "LVM_MAIL_BOUNCES_PASSWORD"

// Config holds every setting. The toml tags are the keys of the file.
// Relative paths are relative to the working directory.
type Config struct {
	Organisation string  `toml:"organisation"`
	Database     string  `toml:"database"`
	BaseURL      string  `toml:"base_url"`
	TemplatesDir string  `toml:"templates_dir"`
	TokenKeyFile string  `toml:"token_key_file"`
	SMTP         SMTP    `toml:"smtp"`
	Server       Server  `toml:"server"`
	Survey       Survey  `toml:"survey"`
	Bounces      Bounces `toml:"bounces"`

	// File is the config file that was read; empty when none was.
	File string `toml:"-"`
	// DatabaseFrom says where Database came from, for messages: "the
	// default", the config file, or the environment variable.
	DatabaseFrom string `toml:"-"`
}

// SMTP configures delivery.
type SMTP struct {
	Host         string   `toml:"host"`
	Port         int      `toml:"port"`
	TLS          string   `toml:"tls"`
	Username     string   `toml:"username"`
	PasswordFile string   `toml:"password_file"`
	From         string   `toml:"from"`
	Concurrency  int      `toml:"concurrency"`
	Rate         float64  `toml:"rate"`
	MaxRetries   int      `toml:"max_retries"`
	RetryBackoff Duration `toml:"retry_backoff"`
	Timeout      Duration `toml:"timeout"`
	DKIM         DKIM     `toml:"dkim"`

	// Password comes from LVM_MAIL_SMTP_PASSWORD or PasswordFile.
	Password string `toml:"-"`
}

// DKIM configures signing ([smtp.dkim]). All three keys, or none.
type DKIM struct {
	Domain   string `toml:"domain"`   // the signing domain (d=), normally smtp.from's
	Selector string `toml:"selector"` // the DNS name of the key: SELECTOR._domainkey.DOMAIN
	KeyFile  string `toml:"key_file"` // the private key, PEM, mode 0600
}

// Enabled reports whether messages are signed.
func (d DKIM) Enabled() bool { return d.Domain != "" || d.Selector != "" || d.KeyFile != "" }

// Bounces configures the IMAP mailbox that bounces come back to ([bounces]):
// the mailbox of smtp.from, where the mail servers of the recipients send
// their delivery reports.
type Bounces struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	TLS          string `toml:"tls"` // tls (implicit, port 993) | starttls (port 143) | none
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
	Folder       string `toml:"folder"`

	// Password comes from LVM_MAIL_BOUNCES_PASSWORD or PasswordFile.
	Password string `toml:"-"`
}

// Server configures the survey's HTTP server.
type Server struct {
	Listen  string `toml:"listen"`
	TLSCert string `toml:"tls_cert"`
	TLSKey  string `toml:"tls_key"`
}

// Survey holds the anonymity threshold, the reminder policy, the report's
// breakdown columns and the default language.
type Survey struct {
	MinGroupSize int      `toml:"min_group_size"`
	MaxReminders int      `toml:"max_reminders"`
	RemindAfter  Duration `toml:"remind_after"`
	// Breakdowns are the roster columns reports break down by besides the
	// department; campaign create --breakdown overrides them. From the
	// environment: a comma-separated list.
	Breakdowns []string `toml:"breakdowns"`
	// DefaultLanguage is the BCP 47 tag of the language of people whose
	// own language has no translation, and of reports.
	DefaultLanguage string `toml:"default_language"`
}

// TLS modes of [smtp] tls.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// Default returns the settings used when nothing is configured: enough for a
// first run against a local mail server and a local survey server.
func Default() Config {
	return Config{
		Organisation: "Example Ltd",
		Database:     "lvm-mail.db",
		DatabaseFrom: "the default",
		BaseURL:      "http://127.0.0.1:8080",
		SMTP: SMTP{
			Host:         "localhost",
			Port:         587,
			TLS:          TLSStartTLS,
			From:         "People Team <people@example.com>",
			Concurrency:  4,
			Rate:         10,
			MaxRetries:   5,
			RetryBackoff: Duration(time.Second),
			Timeout:      Duration(30 * time.Second),
		},
		Server: Server{Listen: "127.0.0.1:8080"},
		Survey: Survey{MinGroupSize: 5, MaxReminders: 3, RemindAfter: Duration(72 * time.Hour), Breakdowns: []string{},
			DefaultLanguage: campaign.EnglishLanguage},
		Bounces: Bounces{Port: 993, TLS: TLSImplicit, Folder: "INBOX"},
	}
}

// Load returns the defaults overlaid with the file at path and then with the
// environment. An empty path reads DefaultFile when it exists. An unknown key
// or a value of the wrong type is an error naming the key and the file.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	explicit := path != ""
	if !explicit {
		path = DefaultFile
	}
	text, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	case err != nil:
		return c, fmt.Errorf("read config: %w", err)
	default:
		database := c.Database
		if err := c.decode(string(text), path); err != nil {
			return c, err
		}
		c.File = path
		if c.Database != database {
			c.DatabaseFrom = "database in " + path
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return c, err
	}
	if err := c.loadPassword(getenv); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func (c *Config) decode(text, path string) error {
	md, err := toml.Decode(text, c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("%s: line %d: %s", path, perr.Position.Line, parseProblem(text, perr))
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	var unknown []string
	for _, k := range md.Undecoded() {
		switch k.String() {
		case "smtp.password":
			return fmt.Errorf("%s: smtp.password: the password is never read from the config file; set %s or smtp.password_file", path, PasswordEnv)
		case "bounces.password":
			return fmt.Errorf("%s: bounces.password: the password is never read from the config file; set %s or bounces.password_file", path, BouncesPasswordEnv)
		}
		unknown = append(unknown, k.String())
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%s: unknown key %s (config.example.toml lists every key)", path, strings.Join(unknown, ", "))
	}
	return nil
}

// parseProblem says what is wrong where the TOML parser stopped: the key
// and the parser's message, unless the line sets a secret (see isSecret).
// The parser quotes the text it choked on, and on such a line that text is
// the secret, so then the message names the key alone and says what to do.
func parseProblem(text string, perr toml.ParseError) string {
	key := perr.LastKey
	lines := strings.Split(text, "\n")
	if n := perr.Position.Line; n >= 1 && n <= len(lines) {
		if k, _, ok := strings.Cut(lines[n-1], "="); ok {
			k = strings.Trim(strings.TrimSpace(k), `"'`)
			if !strings.HasSuffix(key, k) {
				key = k
			}
		}
	}
	if !isSecret(key) && !isSecret(perr.LastKey) {
		return key + ": " + perr.Message
	}
	return key + ": not a valid value, which is not repeated here because this key holds a secret; " +
		"write text in double quotes, or better keep secrets out of this file (passwords come from " +
		PasswordEnv + ", " + BouncesPasswordEnv + " or a password_file)"
}

// isSecret reports whether a config key (any part of a dotted key) names
// a secret: a password, a secret, a token, a credential.
func isSecret(key string) bool {
	key = strings.ToLower(key)
	for _, word := range []string{"password", "passwd", "secret", "token", "credential", "api_key", "apikey"} {
		if strings.Contains(key, word) {
			return true
		}
	}
	return false
}

// applyEnv overrides every setting that has an LVM_MAIL_SECTION_KEY
// variable set.
func (c *Config) applyEnv(getenv func(string) string) error {
	return walk(reflect.ValueOf(c).Elem(), "", func(key string, v reflect.Value) error {
		name := EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		raw := getenv(name)
		if raw == "" {
			return nil
		}
		if err := setText(v, raw); err != nil {
			if isSecret(key) {
				return fmt.Errorf("%s: not a valid value for %s (not repeated here: it holds a secret)", name, key)
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		if key == "database" {
			c.DatabaseFrom = name
		}
		return nil
	})
}

// Keys lists every setting as "section.key", in file order.
func Keys() []string {
	var keys []string
	c := Default()
	walk(reflect.ValueOf(&c).Elem(), "", func(key string, _ reflect.Value) error {
		keys = append(keys, key)
		return nil
	})
	return keys
}

// walk calls fn for each setting of the struct v with its dotted key.
func walk(v reflect.Value, prefix string, fn func(key string, v reflect.Value) error) error {
	t := v.Type()
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("toml")
		if tag == "" || tag == "-" {
			continue
		}
		f := v.Field(i)
		if f.Kind() == reflect.Struct {
			if err := walk(f, prefix+tag+".", fn); err != nil {
				return err
			}
			continue
		}
		if err := fn(prefix+tag, f); err != nil {
			return err
		}
	}
	return nil
}

var durationType = reflect.TypeFor[Duration]()

func setText(v reflect.Value, raw string) error {
	switch {
	case v.Type() == durationType:
		d, err := ParseDuration(raw)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		var list []string
		for _, item := range strings.Split(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		v.Set(reflect.ValueOf(list))
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", raw)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

func (c *Config) loadPassword(getenv func(string) string) error {
	var err error
	if c.SMTP.Password, err = readPassword(getenv(PasswordEnv), c.SMTP.PasswordFile, "smtp.password_file"); err != nil {
		return err
	}
	c.Bounces.Password, err = readPassword(getenv(BouncesPasswordEnv), c.Bounces.PasswordFile, "bounces.password_file")
	return err
}

// readPassword returns the password from the environment when set, and
// otherwise from the file (the setting key) when one is named.
func readPassword(fromEnv, file, key string) (string, error) {
	if fromEnv != "" {
		return fromEnv, nil
	}
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// Validate reports the first setting that cannot work, naming its key. It
// writes survey.default_language in canonical form ("de_ch" as "de-CH").
func (c *Config) Validate() error {
	where := "configuration"
	if c.File != "" {
		where = c.File
	}
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", where, key, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(c.Organisation) == "" {
		return bad("organisation", "must not be empty")
	}
	if c.Database == "" {
		return bad("database", "must not be empty")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "%q is not an http or https URL", c.BaseURL)
	}
	for _, server := range []struct {
		section, tls string
		port         int
	}{{"smtp", c.SMTP.TLS, c.SMTP.Port}, {"bounces", c.Bounces.TLS, c.Bounces.Port}} {
		switch server.tls {
		case TLSStartTLS, TLSImplicit, TLSNone:
		default:
			return bad(server.section+".tls", "%q is not one of starttls, tls, none", server.tls)
		}
		if server.port < 1 || server.port > 65535 {
			return bad(server.section+".port", "%d is not a port number", server.port)
		}
	}
	if c.SMTP.Concurrency < 1 {
		return bad("smtp.concurrency", "must be at least 1")
	}
	if c.SMTP.Rate < 0 {
		return bad("smtp.rate", "must not be negative (0 means no limit)")
	}
	if c.SMTP.MaxRetries < 0 {
		return bad("smtp.max_retries", "must not be negative")
	}
	if c.SMTP.RetryBackoff <= 0 {
		return bad("smtp.retry_backoff", "must be positive")
	}
	if c.SMTP.Timeout <= 0 {
		return bad("smtp.timeout", "must be positive")
	}
	if d := c.SMTP.DKIM; d.Enabled() && (d.Domain == "" || d.Selector == "" || d.KeyFile == "") {
		return bad("smtp.dkim", "domain, selector and key_file go together: set all three to sign, or none")
	}
	if c.Bounces.Folder == "" {
		return bad("bounces.folder", "must not be empty (INBOX is the usual one)")
	}
	if (c.Server.TLSCert == "") != (c.Server.TLSKey == "") {
		return bad("server.tls_cert", "tls_cert and tls_key go together")
	}
	if c.Survey.MinGroupSize < campaign.MinGroupSizeFloor {
		return bad("survey.min_group_size", "%d is below %d: groups that small could identify people", c.Survey.MinGroupSize, campaign.MinGroupSizeFloor)
	}
	if c.Survey.MaxReminders < 0 {
		return bad("survey.max_reminders", "must not be negative")
	}
	if c.Survey.RemindAfter < 0 {
		return bad("survey.remind_after", "must not be negative")
	}
	lang, err := locale.Parse(c.Survey.DefaultLanguage)
	if err != nil {
		return bad("survey.default_language", "%v", err)
	}
	c.Survey.DefaultLanguage = lang
	return nil
}

// TokenKeyPath returns the token key file: token_key_file when set,
// otherwise the database path with ".key" appended.
func (c *Config) TokenKeyPath() string {
	if c.TokenKeyFile != "" {
		return c.TokenKeyFile
	}
	return c.Database + ".key"
}
