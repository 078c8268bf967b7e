package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func (e *env) statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show how far a campaign has got: invited, sent, failed, responded, by group, and who is due a reminder",
		ArgsUsage: " ",
		Description: "Counts the campaign's invitations by state, the answers, the participation of every\n" +
			"group of at least survey.min_group_size invited (smaller ones pooled), and where the\n" +
			"reminders stand. Telling who has answered needs the token key file; without it the\n" +
			"reminder counts are left out.\n\n" +
			"Examples:\n" +
			"  lvm-mail status --campaign q4-pulse-2026\n" +
			"  lvm-mail status --campaign q4-pulse-2026 --json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.BoolFlag{Name: "json", Usage: "print the counts as JSON"},
		},
		Action: e.status,
	}
}

// statusReport is what status prints: the counts, the participation by
// group, and the reminder outlook (nil without the key file).
type statusReport struct {
	campaign.Status
	Participation []campaign.Participation  `json:"participation"`
	Reminders     *campaign.ReminderOutlook `json:"reminders"`
	RemindersNote string                    `json:"reminders_note,omitempty"` // why Reminders is missing
}

func (e *env) status(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("status takes no arguments (got %q); name the campaign with --campaign", c.Args().First())
	}
	ctx := c.Context
	store, camp, err := e.openCampaign(ctx, c.String("campaign"))
	if err != nil {
		return err
	}
	defer store.Close()
	var rep statusReport
	if rep.Status, err = store.CampaignStatus(ctx, camp); err != nil {
		return err
	}
	if rep.Participation, err = store.FindParticipation(ctx, camp); err != nil {
		return err
	}
	key, err := campaign.LoadTokenKey(e.cfg.TokenKeyPath(), false, nil)
	if err == nil {
		err = store.CheckTokenKey(ctx, key)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rep.RemindersNote = "the token key file " + e.cfg.TokenKeyPath() + " is needed to tell who has answered"
	case err != nil:
		return err
	default:
		policy := campaign.ReminderPolicy{Max: e.cfg.Survey.MaxReminders, After: time.Duration(e.cfg.Survey.RemindAfter)}
		outlook, err := store.FindReminderOutlook(ctx, camp, policy, key)
		if err != nil {
			return err
		}
		rep.Reminders = &outlook
	}
	if c.Bool("json") {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	e.printStatus(camp, rep)
	return nil
}

func (e *env) printStatus(camp *campaign.Campaign, rep statusReport) {
	w, st := e.stdout, rep.Status
	fmt.Fprintf(w, "Campaign %s (%s), %s\n", camp.Name, camp.Slug, camp.State(e.now()))
	fmt.Fprintf(w, "  invited    %6d\n", st.Invited)
	fmt.Fprintf(w, "  pending    %6d   not sent yet\n", st.Pending)
	if st.Sending > 0 {
		fmt.Fprintf(w, "  sending    %6d   in flight now\n", st.Sending)
	}
	fmt.Fprintf(w, "  sent       %6d", st.Sent)
	if st.SoftBounced > 0 {
		fmt.Fprintf(w, "   of which %d soft-bounced (delayed; still counted as delivered)", st.SoftBounced)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  failed     %6d", st.Failed)
	if st.Bounced > 0 {
		fmt.Fprintf(w, "   of which %d bounced after the server accepted them ('lvm-mail bounces')", st.Bounced)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  unknown    %6d   the sender stopped mid-message; 'send --resend-unknown' resends\n", st.Unknown)
	fmt.Fprintf(w, "  reminders  %6d   delivered in all\n", st.Reminded)
	fmt.Fprintf(w, "  opted out  %6d   stopped the reminders (they can still answer)\n", st.OptedOut)
	fmt.Fprintf(w, "  responded  %6d", st.Responded)
	if st.Delivered > 0 {
		fmt.Fprintf(w, "   (%.0f%% of the %d reached who are still on the roster)", 100*float64(st.Responded)/float64(st.Delivered), st.Delivered)
	}
	fmt.Fprintln(w)

	if len(rep.Participation) > 0 {
		fmt.Fprintf(w, "\nParticipation (groups of at least %d invited; smaller ones pooled):\n", camp.MinGroupSize)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, p := range rep.Participation {
			fmt.Fprintf(tw, "  %s\t%s\t%d of %d\t%.0f%%\n", p.Column, p.Value, p.Responded, p.Invited, 100*p.Rate)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nReminders (at most %d, no sooner than %s after the last email):\n", e.cfg.Survey.MaxReminders, e.cfg.Survey.RemindAfter)
	if r := rep.Reminders; r == nil {
		fmt.Fprintf(w, "  not counted: %s\n", rep.RemindersNote)
	} else {
		fmt.Fprintf(w, "  answered      %6d\n", r.Answered)
		fmt.Fprintf(w, "  opted out     %6d\n", r.OptedOut)
		fmt.Fprintf(w, "  had them all  %6d\n", r.MaxReached)
		fmt.Fprintf(w, "  not due yet   %6d", r.NotDueYet)
		if r.NextDue != nil {
			fmt.Fprintf(w, "   the first from %s", r.NextDue.In(time.Local).Format("Mon 2 Jan 15:04"))
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  due now       %6d", r.DueNow)
		if r.DueNow > 0 && !camp.Closed(e.now()) {
			fmt.Fprintf(w, "   lvm-mail remind --campaign %s", camp.Slug)
		}
		fmt.Fprintln(w)
	}

	if len(st.Failures) > 0 {
		fmt.Fprintln(w, "\nRefused by the mail server (its reply):")
		for _, f := range st.Failures {
			fmt.Fprintf(w, "  %s (%s): %s\n", f.Email, f.Kind, f.Reply)
		}
		fmt.Fprintf(w, "Fix an address with 'lvm-mail staff set-email OLD NEW', then: lvm-mail send --campaign %s --retry-failed\n", camp.Slug)
	}
	if len(st.SoftBounces) > 0 {
		fmt.Fprintln(w, "\nSoft bounces (still counted as delivered):")
		for _, f := range st.SoftBounces {
			fmt.Fprintf(w, "  %s: %s\n", f.Email, f.Reply)
		}
	}
}
