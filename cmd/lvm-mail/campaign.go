package main

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
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
					"  lvm-mail campaign create --name \"North\" --where location=Leeds --where location=York",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "name", Usage: "the campaign's `NAME`; its slug names it in other commands"},
					&cli.StringFlag{Name: "survey", Usage: "the questions, from a TOML `FILE` (default: the built-in instrument)"},
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
				Action:    e.closeCampaign,
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
	in := instrument.Default()
	if path := c.String("survey"); path != "" {
		var err error
		if in, err = instrument.Load(path); err != nil {
			return err
		}
	}
	var closes time.Time
	if s := c.String("closes"); s != "" {
		day, err := time.ParseInLocation(time.DateOnly, s, time.Local)
		if err != nil {
			return usagef("--closes %q: want a date such as 2026-12-18", s)
		}
		closes = day.AddDate(0, 0, 1) // the end of that day
		if !closes.After(e.now()) {
			return usagef("--closes %s: that day is over; choose today or a later date", s)
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
	fmt.Fprintf(e.stdout, ".\nNothing has been sent. Next: lvm-mail preview --campaign %s\n", camp.Slug)
	return nil
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
	if c.NArg() != 1 {
		return usagef("campaign close takes one CAMPAIGN (its slug or id)")
	}
	store, camp, err := e.openCampaign(c.Context, c.Args().First())
	if err != nil {
		return err
	}
	defer store.Close()
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
