package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/mailer"
	"github.com/lvm-mail/lvm-mail/templates"
)

func (e *env) sendCommand() *cli.Command {
	return &cli.Command{
		Name:      "send",
		Usage:     "email every invitee of a campaign their private survey link (safe to run again)",
		ArgsUsage: " ",
		Description: "Sends the invitations that have not been sent yet. Running it again sends nothing\n" +
			"twice, and after a crash or Ctrl-C it goes on where it stopped.\n\n" +
			"Before the first message it checks the settings: base_url must be where staff reach\n" +
			"'lvm-mail serve', and GET base_url/healthz must answer from a serve on this very\n" +
			"database (--no-link-check skips that one check, for a survey not reachable from\n" +
			"here yet); organisation and from must not be the example values.\n\n" +
			"Each person's message is marked as started just before its SMTP transaction begins,\n" +
			"and as sent once the server accepts it. If lvm-mail dies in between, that message's\n" +
			"fate is unknown: it may have arrived. 'lvm-mail status' counts these as unknown; send\n" +
			"does not resend them unless you add --resend-unknown (the person may then get two\n" +
			"copies of the same message). A server's permanent refusal (5xx) is recorded, shown\n" +
			"by status, and not retried unless you fix the address ('lvm-mail staff set-email')\n" +
			"and add --retry-failed; temporary failures are retried with a growing wait. Only one\n" +
			"send or remind runs for a campaign at a time.\n\n" +
			"Examples:\n" +
			"  lvm-mail send --campaign q4-pulse-2026 --dry-run\n" +
			"  lvm-mail send --campaign q4-pulse-2026\n" +
			"  lvm-mail send --campaign q4-pulse-2026 --retry-failed",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "render and check every message and setting; connect to nothing, send nothing"},
			&cli.BoolFlag{Name: "resend-unknown", Usage: "also resend the messages whose fate is unknown after a crash"},
			&cli.BoolFlag{Name: "retry-failed", Usage: "also resend the invitations the mail server refused for good (after fixing addresses)"},
			&cli.BoolFlag{Name: "no-link-check", Usage: "do not check that base_url/healthz answers from this database"},
		},
		Action: func(c *cli.Context) error { return e.deliver(c, campaign.Invitation) },
	}
}

// composer parses the email templates (the built-in ones, or templates_dir)
// and returns the Composer of the configured sender.
func (e *env) composer() (*mailer.Composer, error) {
	fsys := templates.Email()
	if dir := e.cfg.TemplatesDir; dir != "" {
		fsys = os.DirFS(dir)
	}
	tpl, err := mailer.ParseTemplates(fsys)
	if err != nil {
		if e.cfg.TemplatesDir != "" {
			return nil, fmt.Errorf("templates_dir %s: %w", e.cfg.TemplatesDir, err)
		}
		return nil, err
	}
	dkim, err := e.dkim()
	if err != nil {
		return nil, err
	}
	return mailer.NewComposer(tpl, mailer.ComposerOptions{From: e.cfg.SMTP.From, Organisation: e.cfg.Organisation,
		Location: time.Local, Now: e.now, DKIM: dkim})
}

// sender returns a Sender for the [smtp] settings.
func (e *env) sender(logger *slog.Logger) (*mailer.Sender, error) {
	s := e.cfg.SMTP
	return mailer.NewSender(mailer.Config{Host: s.Host, Port: s.Port, TLS: s.TLS, Username: s.Username, Password: s.Password,
		Concurrency: s.Concurrency, Rate: s.Rate, MaxRetries: s.MaxRetries, RetryBackoff: time.Duration(s.RetryBackoff),
		Timeout: time.Duration(s.Timeout), Now: e.now}, logger)
}

// logger reports trouble on stderr that the summary does not show (the
// lease); refusals and retries are logged below that level. Nothing logged
// holds a token.
func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// holder names this process in a campaign's sender lease: "HOST pid PID
// (NONCE)", which holderGone reads back.
func (e *env) holder() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown host"
	}
	var b [3]byte
	io.ReadFull(e.random, b[:])
	return fmt.Sprintf("%s pid %d (%x)", host, os.Getpid(), b)
}

// holderGone reports whether the run a lease names has died: it ran on
// this machine and its process no longer exists. A run on another machine,
// or one whose process is alive (or cannot be checked), keeps its lease
// until it lapses.
func holderGone(holder string) bool {
	host, err := os.Hostname()
	if err != nil {
		return false
	}
	var pid int
	var nonce string
	if n, _ := fmt.Sscanf(strings.TrimPrefix(holder, host+" "), "pid %d %s", &pid, &nonce); n != 2 || !strings.HasPrefix(holder, host+" pid ") || pid <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// deliver runs send or remind.
func (e *env) deliver(c *cli.Context, kind campaign.MessageKind) error {
	if c.Args().Present() {
		return usagef("%s takes no arguments (got %q); name the campaign with --campaign", c.Command.Name, c.Args().First())
	}
	ctx := c.Context
	store, camp, err := e.openCampaign(ctx, c.String("campaign"))
	if err != nil {
		return err
	}
	defer store.Close()
	if camp.Closed(e.now()) {
		return fmt.Errorf("campaign %s closed on %s: its links no longer take answers, so nothing was sent", camp.Slug, closingDay(camp.ClosingDate()))
	}
	key, err := e.tokenKey(ctx, store)
	if err != nil {
		return err
	}
	comp, err := e.composer()
	if err != nil {
		return err
	}
	logger := e.logger()
	round := campaign.Round{Kind: kind, ResendUnknown: c.Bool("resend-unknown"), RetryFailed: c.Bool("retry-failed"),
		Reminders: campaign.ReminderPolicy{Max: e.cfg.Survey.MaxReminders, After: time.Duration(e.cfg.Survey.RemindAfter)}}
	run := &mailer.Run{
		Store: store, Campaign: camp, Round: round, Key: key, BaseURL: e.cfg.BaseURL, Composer: comp,
		Holder: e.holder(), HolderGone: holderGone, Logger: logger, Now: e.now,
	}
	what := "invitations"
	if kind == campaign.Reminder {
		what = "reminders"
	}
	// The SMTP settings are checked even for a dry run; nothing connects.
	if run.Sender, err = e.sender(logger); err != nil {
		return err
	}
	dry := c.Bool("dry-run")
	checks, err := e.preflight(ctx, store, !dry && !c.Bool("no-link-check"))
	if err != nil {
		return err
	}
	if dry {
		sum, err := run.DryRun(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Dry run for %s: %d %s rendered and checked. Nothing was sent and nothing changed.\n", camp.Slug, sum.Sent, what)
		fmt.Fprintln(e.stdout, signingLine(comp))
		if err := e.printLanguages(ctx, store, camp, comp); err != nil {
			return err
		}
		e.printSummary(camp, sum, checks)
		return nil
	}
	view := e.progressView(what)
	run.Progress = view.update
	sum, err := run.Send(ctx)
	view.finish()
	switch {
	case errors.Is(err, campaign.ErrSenderBusy):
		return fmt.Errorf("%w; wait for it to finish (its lease lapses within %s if it was stopped on another machine)", err, mailer.DefaultLeaseTTL)
	case sum.Due == 0 && sum.Sent == 0 && err != nil:
		return err
	}
	e.printSummary(camp, sum, checks)
	switch {
	case errors.Is(err, mailer.ErrInterrupted):
		return fmt.Errorf("interrupted: %d %s sent, %d still to send; run the same command again to go on", sum.Sent, what, sum.Untried)
	case err != nil:
		return fmt.Errorf("%w\n%d %s were sent before it stopped; the %d left stay due: run the same command again", err, sum.Sent, what, sum.Untried)
	}
	return nil
}

// printSummary tells HR what a run did.
func (e *env) printSummary(camp *campaign.Campaign, sum mailer.Summary, checks []string) {
	w := e.stdout
	for _, c := range checks {
		fmt.Fprintf(w, "Check: %s\n", c)
	}
	if r := sum.Recovered; r.Returned > 0 || r.Unknown > 0 || r.Reminders > 0 {
		fmt.Fprintf(w, "A previous run stopped with messages in flight: %d never reached the mail server and are due again, "+
			"%d invitations are now unknown, %d reminders count as sent.\n", r.Returned, r.Unknown, r.Reminders)
	}
	verb := "sent"
	if sum.DryRun {
		verb = "would send"
	}
	fmt.Fprintf(w, "Campaign %s (%s):\n", camp.Name, camp.Slug)
	fmt.Fprintf(w, "  %-10s %6d\n", verb, sum.Sent)
	if !sum.DryRun {
		fmt.Fprintf(w, "  %-10s %6d\n", "failed", len(sum.Failed))
	}
	if sum.NoLongerDue > 0 {
		fmt.Fprintf(w, "  %-10s %6d   answered, or left the roster, before their turn\n", "not needed", sum.NoLongerDue)
	}
	if sum.Untried > 0 {
		fmt.Fprintf(w, "  %-10s %6d   not sent yet: run the same command again\n", "left", sum.Untried)
	}
	if sum.Kind == campaign.Invitation {
		fmt.Fprintf(w, "  %-10s %6d", "unknown", sum.Unknown)
		if sum.Unknown > 0 {
			fmt.Fprintf(w, "   may or may not have arrived; to resend them: lvm-mail send --campaign %s --resend-unknown", camp.Slug)
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  %-10s %6d   already sent, refused earlier, answered, or no longer on the roster\n", "skipped", sum.Skipped)
	} else {
		fmt.Fprintf(w, "  %-10s %6d   answered, not invited yet, reminded recently or often enough, or no longer on the roster\n", "skipped", sum.Skipped)
	}
	if len(sum.Failed) > 0 {
		fmt.Fprintln(w, "Refused by the mail server (not retried; 'lvm-mail status' lists them too):")
		for _, f := range sum.Failed {
			fmt.Fprintf(w, "  %s: %s\n", f.Email, f.Reply)
		}
	}
}

// progressView shows how far a run has got: a bar on a terminal, a line
// every 10% or every 5 seconds otherwise.
type progressView struct {
	e       *env
	what    string
	bar     *progressbar.ProgressBar
	tty     bool
	last    mailer.Progress
	printed int
	at      time.Time
}

func (e *env) progressView(what string) *progressView {
	v := &progressView{e: e, what: what, at: e.now()}
	if f, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		v.tty = true
	}
	return v
}

func (v *progressView) update(p mailer.Progress) {
	v.last = p
	if v.tty {
		if v.bar == nil {
			v.bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(v.e.stdout),
				progressbar.OptionSetDescription("Sending "+v.what), progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetWidth(30))
		}
		v.bar.Set(p.Done())
		return
	}
	done := p.Done()
	step := max(1, (p.Total+9)/10)
	now := v.e.now()
	if done/step > v.printed/step || now.Sub(v.at) >= 5*time.Second || done == p.Total {
		if done == v.printed {
			return
		}
		v.printed, v.at = done, now
		fmt.Fprintf(v.e.stdout, "%s: %d of %d done (%d sent, %d failed)\n", v.what, done, p.Total, p.Sent, p.Failed)
	}
}

func (v *progressView) finish() {
	if v.bar != nil {
		v.bar.Finish()
		fmt.Fprintln(v.e.stdout)
	}
}
