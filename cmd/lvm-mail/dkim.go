package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/mailer"
)

func (e *env) dkimCommand() *cli.Command {
	return &cli.Command{
		Name:  "dkim",
		Usage: "make a DKIM key for signing the invitations",
		Subcommands: []*cli.Command{{
			Name:      "keygen",
			Usage:     "write a new DKIM private key (mode 0600) and print the DNS TXT record to publish",
			ArgsUsage: " ",
			Description: "Makes a 2048-bit RSA key, writes it to --out (default: SELECTOR.dkim.pem; an existing\n" +
				"file is never overwritten) and prints the TXT record to publish at\n" +
				"SELECTOR._domainkey.DOMAIN. Once the record is published, set [smtp.dkim] in the config.\n\n" +
				"Example:\n" +
				"  lvm-mail dkim keygen --domain example.com --selector lvm2026 --out dkim.pem",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "domain", Usage: "the signing `DOMAIN`: the domain of smtp.from"},
				&cli.StringFlag{Name: "selector", Usage: "a `NAME` for this key, e.g. lvm2026"},
				&cli.StringFlag{Name: "out", Usage: "write the private key to `FILE`"},
			},
			Action: e.dkimKeygen,
		}},
	}
}

func (e *env) dkimKeygen(c *cli.Context) error {
	domain, selector := strings.ToLower(strings.TrimSuffix(c.String("domain"), ".")), c.String("selector")
	switch {
	case c.Args().Present():
		return usagef("dkim keygen takes no arguments (got %q)", c.Args().First())
	case domain == "" || selector == "":
		return usagef("dkim keygen needs --domain (the domain of smtp.from) and --selector (any name for this key, e.g. lvm2026)")
	case strings.ContainsAny(domain, " ;=@/") || strings.ContainsAny(selector, " ;=@/."):
		return usagef("--domain %q and --selector %q must be a domain name and a plain name", domain, selector)
	}
	out := c.String("out")
	if out == "" {
		out = selector + ".dkim.pem"
	}
	d, pemText, err := mailer.GenerateDKIM(domain, selector, e.random)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: lvm-mail never overwrites a key; choose another --out", out)
	}
	if err != nil {
		return fmt.Errorf("write the DKIM key: %w", err)
	}
	if _, err := f.Write(pemText); err != nil {
		f.Close()
		os.Remove(out)
		return fmt.Errorf("write the DKIM key %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write the DKIM key %s: %w", out, err)
	}
	name, value, err := d.DNSRecord()
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "Wrote the private key to %s (mode 0600). Keep it secret and back it up.\n\n", out)
	fmt.Fprintf(w, "Publish this DNS TXT record:\n\n  name:  %s\n  value: %s\n\n", name, value)
	fmt.Fprintf(w, "In a zone file (a TXT string holds at most 255 characters, so it is split):\n\n  %s. IN TXT (", name)
	for len(value) > 0 {
		n := min(len(value), 255)
		fmt.Fprintf(w, "\n    %q", value[:n])
		value = value[n:]
	}
	fmt.Fprintf(w, " )\n\nThen sign the invitations with this in lvm-mail.toml:\n\n"+
		"  [smtp.dkim]\n  domain = %q\n  selector = %q\n  key_file = %q\n", domain, selector, out)
	return nil
}

// dkim loads the [smtp.dkim] key, or gives nil when signing is not
// configured. A key that cannot be used stops send, remind and preview
// before anything is sent.
func (e *env) dkim() (*mailer.DKIM, error) {
	d := e.cfg.SMTP.DKIM
	if !d.Enabled() {
		return nil, nil
	}
	return mailer.LoadDKIM(d.Domain, d.Selector, d.KeyFile)
}

// signingLine says how messages are signed, for send --dry-run.
func signingLine(comp *mailer.Composer) string {
	if s := comp.Signing(); s != "" {
		return "DKIM: every message is signed (" + s + ")."
	}
	return "DKIM: messages are not signed; receivers trust signed mail more (see README, \"Reaching the inbox\")."
}
