package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/config"
)

// env is what every command needs from the outside world. Commands reach
// it through their closures; nothing here is global.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	random io.Reader

	cfg config.Config
}

// run runs the command line args (args[0] is the program name) and returns
// the error that decides the exit code. It prints the error itself.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, random: rand.Reader}
	app := e.app()
	err := app.RunContext(ctx, reorderArgs(app, args))
	if err != nil {
		fmt.Fprintf(stderr, "lvm-mail: %v\n", err)
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(stderr, "Run 'lvm-mail --help' for usage.")
		}
	}
	return err
}

// usageError marks a mistake in the command line itself: exit code 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCode maps run's error to the exit code: 0 success, 1 failure, 2 usage.
func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	default:
		return 1
	}
}

func (e *env) app() *cli.App {
	onUsageError := func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
	app := &cli.App{
		Name:  "lvm-mail",
		Usage: "ask your staff whether they feel led or managed, and report the answer",
		Description: "HR imports the staff roster, creates a campaign, and sends every person a private\n" +
			"survey link by email. Staff answer in their browser (lvm-mail serve); owners read the\n" +
			"Excel report. Answers are stored anonymously: see README.md.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Usage: "read settings from `FILE` (default: " + config.DefaultFile + " when present)"},
			&cli.StringFlag{Name: "db", Usage: "use the database `FILE` (overrides the config's database)"},
		},
		Before: func(c *cli.Context) error {
			cfg, err := config.Load(c.String("config"), e.getenv)
			if err != nil {
				return err
			}
			if db := c.String("db"); db != "" {
				cfg.Database, cfg.DatabaseFrom = db, "--db"
			}
			e.cfg = cfg
			return nil
		},
		Commands: []*cli.Command{
			e.staffCommand(),
			e.campaignCommand(),
			e.previewCommand(),
			e.sendCommand(),
			e.remindCommand(),
			e.statusCommand(),
			e.serveCommand(),
			e.reportCommand(),
			e.backupCommand(),
			e.bouncesCommand(),
			e.dkimCommand(),
			e.demoCommand(),
		},
		Writer:                 e.stdout,
		ErrWriter:              e.stderr,
		ExitErrHandler:         func(*cli.Context, error) {},
		OnUsageError:           onUsageError,
		HideVersion:            true,
		UseShortOptionHandling: true,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unknown command %q", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
	}
	setUsageErrors(app.Commands, onUsageError)
	return app
}

// setUsageErrors makes flag mistakes in every command usage errors.
func setUsageErrors(cmds []*cli.Command, h cli.OnUsageErrorFunc) {
	for _, c := range cmds {
		c.OnUsageError = h
		setUsageErrors(c.Subcommands, h)
	}
}

// openStore opens the configured database. Only the commands that write
// (staff import, campaign create, demo) create it; the others, run in the
// wrong folder or with a mistyped path, say where they looked instead of
// working on an empty database.
func (e *env) openStore(ctx context.Context, create bool) (*campaign.Store, error) {
	store, err := campaign.Open(ctx, e.cfg.Database, campaign.Options{Now: e.now, Rand: e.random, MustExist: !create})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s (from %s): run lvm-mail in the folder that has it, or name it with --db or database in %s; "+
			"'lvm-mail staff import FILE' makes a new one", e.cfg.Database, e.cfg.DatabaseFrom, config.DefaultFile)
	}
	return store, err
}

// tokenKey loads the token key, creating it beside the database when the
// database has never had one. A key file that others may read is refused.
func (e *env) tokenKey(ctx context.Context, store *campaign.Store) (*campaign.TokenKey, error) {
	known, err := store.TokenKeyKnown(ctx)
	if err != nil {
		return nil, err
	}
	key, err := campaign.LoadTokenKey(e.cfg.TokenKeyPath(), !known, e.random)
	if err != nil {
		return nil, fmt.Errorf("%w (the survey links of this database were made with that key)", err)
	}
	if err := store.CheckTokenKey(ctx, key); err != nil {
		return nil, fmt.Errorf("%s: %w: links made with another key would no longer work; restore the original key file", e.cfg.TokenKeyPath(), err)
	}
	return key, nil
}

// terminalIn returns standard input to read answers from when it is a
// terminal, and nil when it is not (a script, a pipe): then nothing asks.
func (e *env) terminalIn() *bufio.Reader {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return bufio.NewReader(f)
	}
	return nil
}

// openCampaign opens the store and finds the campaign a CAMPAIGN argument
// or --campaign value names. A missing name is a usage error found before
// anything is opened or created.
func (e *env) openCampaign(ctx context.Context, ref string) (*campaign.Store, *campaign.Campaign, error) {
	if ref == "" {
		return nil, nil, usagef("name the campaign with --campaign (its slug or id; 'lvm-mail campaign list' shows them)")
	}
	store, err := e.openStore(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	c, err := findCampaign(ctx, store, ref)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, c, nil
}

// findCampaign finds a campaign by slug or id, saying what to do when there
// is none.
func findCampaign(ctx context.Context, store *campaign.Store, ref string) (*campaign.Campaign, error) {
	c, err := store.FindCampaign(ctx, ref)
	if errors.Is(err, campaign.ErrCampaignNotFound) {
		return nil, fmt.Errorf("no campaign %q: 'lvm-mail campaign list' shows the campaigns", ref)
	}
	return c, err
}
