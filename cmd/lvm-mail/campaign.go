package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func (e *env) campaignCommand() *cli.Command {
	return &cli.Command{
		Name:  "campaign",
		Usage: "create, list and close survey campaigns",
		Subcommands: []*cli.Command{
			{
				Name:      "create",
				Usage:     "create a campaign for the active staff (or those chosen with --where)",
				ArgsUsage: " ",
				Description: "Creates the campaign, takes a snapshot of its questions and makes one private\n" +
					"link for each person. Nothing is sent yet: preview and send do that.\n\n" +
					"Examples:\n" +
					"  lvm-mail campaign create --name \"Q4 Pulse 2026\" --closes 2026-12-18\n" +
					"  lvm-mail campaign create --name \"Sales check-in\" --where department=Sales\n" +
					"  lvm-mail campaign create --name \"North\" --where location=Leeds --where location=York\n" +
					"  lvm-mail campaign create --name \"Q4 Pulse\" --survey ours.toml --translation ours.de.toml\n\n" +
					"Each person answers in the language of the roster's language column, when the\n" +
					"campaign has it (de-CH falls back to de), and otherwise in survey.default_language.\n" +
					"The built-in survey speaks en, de, fr and es. A --translation FILE has the survey's\n" +
					"shape with only the texts (language, title, intro, comment, [[dimension]] id and\n" +
					"name, [[item]] id and text); it is checked against the survey before the campaign\n" +
					"is created, and replaces a built-in translation into the same language.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "name", Usage: "the campaign's `NAME`; its slug names it in other commands"},
					&cli.StringFlag{Name: "survey", Usage: "the questions, from a TOML `FILE` (default: the built-in instrument)"},
					&cli.StringSliceFlag{Name: "translation", Usage: "the questions in another language, from a TOML `FILE` (repeat for more)"},
					&cli.StringFlag{Name: "closes", Usage: "stop taking answers at the end of `DATE` (YYYY-MM-DD, local time)"},
					&cli.StringSliceFlag{Name: "where", Usage: "invite only staff whose roster `COLUMN=VALUE` (repeat: same column = any of, different columns = all of)"},
					&cli.StringSliceFlag{Name: "breakdown", Usage: "break the report down by roster `COLUMN` besides department (repeatable; default: survey.breakdowns)"},
				},
				Action: e.createCampaign,
			},
			{
				Name:      "list",
				Usage:     "list the campaigns, newest first",
				ArgsUsage: " ",
				Action:    e.listCampaigns,
			},
			{
				Name:      "close",
				Usage:     "stop a campaign: its links stop taking answers and reminders stop",
				ArgsUsage: "CAMPAIGN",
				Description: "Closes the campaign now. Its links then show that the survey has closed, no\n" +
					"reminder goes out, and the report shows results by group and the comments. Closing\n" +
					"rewrites the database file, so that it keeps no order of answering. On a terminal, it\n" +
					"asks first when the closing date has not come and people have not answered.\n\n" +
					"Examples:\n" +
					"  lvm-mail campaign close q4-pulse-2026\n" +
					"  lvm-mail campaign close q4-pulse-2026 --yes",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "close without asking"},
				},
				Action: e.closeCampaign,
			},
			{
				Name:      "add",
				Usage:     "invite staff who joined since the campaign was created (matching its audience)",
				ArgsUsage: " ",
				Description: "Invites the active staff who match the campaign's --where conditions and are not\n" +
					"invited yet, such as new hires imported since: each gets their own link, and the next\n" +
					"'lvm-mail send' emails them. Group sizes grow with them.\n\n" +
					"Examples:\n" +
					"  lvm-mail staff import staff.csv\n" +
					"  lvm-mail campaign add --campaign q4-pulse-2026\n" +
					"  lvm-mail send --campaign q4-pulse-2026",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
				},
				Action: e.addToCampaign,
			},
			{
				Name:      "extend",
				Usage:     "move the closing date of an open campaign later",
				ArgsUsage: "CAMPAIGN",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "closes", Usage: "take answers until the end of `DATE` (YYYY-MM-DD, local time)"},
				},
				Action: e.extendCampaign,
			},
			{
				Name:      "reopen",
				Usage:     "open a closed campaign again, unless a report with results by group was written since",
				ArgsUsage: "CAMPAIGN",
				Description: "Lets the links take answers again. Refused once a report with results by group has\n" +
					"been written after the campaign closed: a second such report after more answers could\n" +
					"be compared with the first to read what the people who answered in between said.",
				Action: e.reopenCampaign,
			},
			{
				Name:        "delete",
				Usage:       "delete a campaign that has sent nothing",
				ArgsUsage:   "CAMPAIGN",
				Description: "Deletes a campaign created by mistake, with its links. Refused once any message of it\nwas handed to a mail server.",
				Action:      e.deleteCampaign,
			},
		},
	}
}

func (e *env) createCampaign(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("campaign create takes no arguments (got %q); name it with --name", c.Args().First())
	}
	name := c.String("name")
	if name == "" {
		return usagef("campaign create needs --name")
	}
	in, err := e.campaignInstrument(c.String("survey"), c.StringSlice("translation"))
	if err != nil {
		return err
	}
	var closes time.Time
	if s := c.String("closes"); s != "" {
		var err error
		if closes, err = closingTime(s, e.now()); err != nil {
			return err
		}
	}
	var where []campaign.Condition
	for _, w := range c.StringSlice("where") {
		cond, err := campaign.ParseCondition(w)
		if err != nil {
			return usageError{err}
		}
		where = append(where, cond)
	}
	breakdowns := e.cfg.Survey.Breakdowns
	if c.IsSet("breakdown") {
		breakdowns = c.StringSlice("breakdown")
	}

	store, err := e.openStore(c.Context, true)
	if err != nil {
		return err
	}
	defer store.Close()
	key, err := e.tokenKey(c.Context, store)
	if err != nil {
		return err
	}
	camp, err := store.CreateCampaign(c.Context, campaign.NewCampaign{
		Name:         name,
		Instrument:   in,
		Where:        where,
		Breakdowns:   breakdowns,
		ClosesAt:     closes,
		MinGroupSize: e.cfg.Survey.MinGroupSize,
	}, key)
	switch {
	case errors.Is(err, campaign.ErrCampaignExists):
		return fmt.Errorf("%w: choose another --name ('lvm-mail campaign list' shows the names in use)", err)
	case errors.Is(err, campaign.ErrNoRecipients):
		return fmt.Errorf("%w: import staff first ('lvm-mail staff import FILE') or check --where", err)
	case err != nil:
		return err
	}
	st, err := store.CampaignStatus(c.Context, camp)
	if err != nil {
		return err
	}
	people := "people"
	if st.Invited == 1 {
		people = "person"
	}
	fmt.Fprintf(e.stdout, "Created campaign %q (%s): %d %s invited, %d questions in %d dimensions",
		camp.Name, camp.Slug, st.Invited, people, len(camp.Instrument.Items), len(camp.Instrument.Dimensions))
	if !camp.ClosesAt.IsZero() {
		fmt.Fprintf(e.stdout, ", closes %s", closingDay(camp.ClosesAt))
	}
	fmt.Fprintln(e.stdout, ".")
	if err := e.printLanguages(c.Context, store, camp, nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Nothing has been sent. Next: lvm-mail preview --campaign %s\n", camp.Slug)
	return nil
}

// campaignArg opens the store and finds the campaign that is the command's
// one argument (campaign close, reopen, delete, extend).
func (e *env) campaignArg(c *cli.Context) (*campaign.Store, *campaign.Campaign, error) {
	if c.NArg() != 1 {
		return nil, nil, usagef("campaign %s takes one CAMPAIGN (its slug or id)", c.Command.Name)
	}
	return e.openCampaign(c.Context, c.Args().First())
}

// closingTime reads --closes DATE: the campaign takes answers until the
// end of that day, local time.
func closingTime(s string, now time.Time) (time.Time, error) {
	day, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return time.Time{}, usagef("--closes %q: want a date such as 2026-12-18", s)
	}
	closes := day.AddDate(0, 0, 1)
	if !closes.After(now) {
		// Name the day given, not the moment after it the campaign would close.
		return time.Time{}, usagef("--closes %s: that day is over; choose today or a later date", s)
	}
	return closes, nil
}

// closingDay formats a closing time as the last day answers are taken.
func closingDay(t time.Time) string {
	return t.In(time.Local).Add(-time.Nanosecond).Format("Mon 2 Jan 2006")
}

func (e *env) listCampaigns(c *cli.Context) error {
	store, err := e.openStore(c.Context, false)
	if err != nil {
		return err
	}
	defer store.Close()
	camps, err := store.FindCampaigns(c.Context)
	if err != nil {
		return err
	}
	if len(camps) == 0 {
		fmt.Fprintln(e.stdout, "No campaigns yet. Create one with: lvm-mail campaign create --name NAME")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSLUG\tNAME\tSTATE\tINVITED\tRESPONDED\tCLOSES")
	now := e.now()
	for _, s := range camps {
		closes := "-"
		if d := s.ClosingDate(); !d.IsZero() {
			closes = closingDay(d)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\n", s.ID, s.Slug, s.Name, s.State(now), s.Invited, s.Responded, closes)
	}
	return tw.Flush()
}

func (e *env) closeCampaign(c *cli.Context) error {
	store, camp, err := e.campaignArg(c)
	if err != nil {
		return err
	}
	defer store.Close()
	if ask := e.terminalIn(); ask != nil && !c.Bool("yes") && !camp.Closed(e.now()) {
		ok, err := e.confirmClose(c.Context, store, camp, ask)
		if err != nil || !ok {
			return err
		}
	}
	err = store.CloseCampaign(c.Context, camp.ID)
	if errors.Is(err, campaign.ErrCampaignClosed) {
		// It closed by its date: rewrite the file all the same, so that it
		// keeps no order of answering.
		if err := store.Compact(c.Context); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Campaign %s was already closed (%s).\n", camp.Slug, closingDay(camp.ClosingDate()))
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Closed campaign %s: its links now show that the survey has closed. The full report is ready:\n  lvm-mail report --campaign %s --out %s.xlsx\n", camp.Slug, camp.Slug, camp.Slug)
	return nil
}

// confirmClose asks before closing a campaign early while people have not
// answered. It says what closing would cut short, and returns whether the
// user said yes.
func (e *env) confirmClose(ctx context.Context, store *campaign.Store, camp *campaign.Campaign, in *bufio.Reader) (bool, error) {
	st, err := store.CampaignStatus(ctx, camp)
	if err != nil {
		return false, err
	}
	waiting := st.Invited - st.Responded
	if waiting <= 0 {
		return true, nil
	}
	when := "it has no closing date"
	if !camp.ClosesAt.IsZero() {
		when = "it closes on " + closingDay(camp.ClosesAt)
	}
	fmt.Fprintf(e.stdout, "%d of %d invited have not answered, and %s. Once closed, their links stop working.\nClose %s now? [y/N] ",
		waiting, st.Invited, when, camp.Slug)
	answer, _ := in.ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return true, nil
	}
	fmt.Fprintln(e.stdout, "Not closed.")
	return false, nil
}

func (e *env) addToCampaign(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("campaign add takes no arguments (got %q); name the campaign with --campaign", c.Args().First())
	}
	store, camp, err := e.openCampaign(c.Context, c.String("campaign"))
	if err != nil {
		return err
	}
	defer store.Close()
	key, err := e.tokenKey(c.Context, store)
	if err != nil {
		return err
	}
	n, err := store.AddRecipients(c.Context, camp.ID, key)
	switch {
	case errors.Is(err, campaign.ErrCampaignClosed):
		return fmt.Errorf("campaign %s has closed: no one can be added to it", camp.Slug)
	case err != nil:
		return err
	case n == 0:
		fmt.Fprintf(e.stdout, "Everyone on the roster who matches campaign %s is invited already.\n", camp.Slug)
		return nil
	}
	fmt.Fprintf(e.stdout, "Added %d %s to campaign %s. Nothing has been sent yet. Next: lvm-mail send --campaign %s\n",
		n, plural(n, "person", "people"), camp.Slug, camp.Slug)
	return nil
}

func (e *env) extendCampaign(c *cli.Context) error {
	if c.String("closes") == "" {
		return usagef("campaign extend needs --closes DATE")
	}
	closes, err := closingTime(c.String("closes"), e.now())
	if err != nil {
		return err
	}
	store, camp, err := e.campaignArg(c)
	if err != nil {
		return err
	}
	defer store.Close()
	err = store.ExtendCampaign(c.Context, camp.ID, closes)
	var input *campaign.InputError
	switch {
	case errors.Is(err, campaign.ErrCampaignClosed):
		return fmt.Errorf("campaign %s has closed: 'lvm-mail campaign reopen %s' opens it again", camp.Slug, camp.Slug)
	case errors.As(err, &input):
		now := "it has no closing date"
		if !camp.ClosesAt.IsZero() {
			now = "it closes on " + closingDay(camp.ClosesAt)
		}
		return usagef("--closes %s: choose a later day (%s); to stop it sooner, use 'lvm-mail campaign close %s'", c.String("closes"), now, camp.Slug)
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "Campaign %s now takes answers until the end of %s.\n", camp.Slug, closingDay(closes))
	return nil
}

func (e *env) reopenCampaign(c *cli.Context) error {
	store, camp, err := e.campaignArg(c)
	if err != nil {
		return err
	}
	defer store.Close()
	err = store.ReopenCampaign(c.Context, camp.ID)
	switch {
	case errors.Is(err, campaign.ErrCampaignOpen):
		return fmt.Errorf("campaign %s is open already", camp.Slug)
	case errors.Is(err, campaign.ErrGroupReportWritten):
		return fmt.Errorf("campaign %s cannot be reopened: a report with results by group was written after it closed, "+
			"and a second one after more answers could be compared with it to read what the people who answered in between said; "+
			"run a new campaign instead", camp.Slug)
	case err != nil:
		return err
	}
	reopened, err := store.FindCampaignByID(c.Context, camp.ID)
	if err != nil {
		return err
	}
	until := "until you close it ('lvm-mail campaign extend " + camp.Slug + " --closes DATE' sets a date)"
	if !reopened.ClosesAt.IsZero() {
		until = "until the end of " + closingDay(reopened.ClosesAt)
	}
	fmt.Fprintf(e.stdout, "Campaign %s is open again: its links take answers %s.\n", camp.Slug, until)
	return nil
}

func (e *env) deleteCampaign(c *cli.Context) error {
	store, camp, err := e.campaignArg(c)
	if err != nil {
		return err
	}
	defer store.Close()
	err = store.DeleteCampaign(c.Context, camp.ID)
	if errors.Is(err, campaign.ErrCampaignSent) {
		return fmt.Errorf("campaign %s has sent messages, so it cannot be deleted: people hold links to it; close it instead ('lvm-mail campaign close %s')", camp.Slug, camp.Slug)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Deleted campaign %s (%s).\n", camp.Name, camp.Slug)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
