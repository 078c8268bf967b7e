package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"
)

func (e *env) statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show how far a campaign has got: invited, sent, failed, responded",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.BoolFlag{Name: "json", Usage: "print the counts as JSON"},
		},
		Action: e.status,
	}
}

func (e *env) status(c *cli.Context) error {
	store, camp, err := e.openCampaign(c.Context, c.String("campaign"))
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := store.CampaignStatus(c.Context, camp)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	fmt.Fprintf(e.stdout, "Campaign %s (%s), %s\n", camp.Name, camp.Slug, camp.State(e.now()))
	fmt.Fprintf(e.stdout, "  invited    %6d\n", st.Invited)
	fmt.Fprintf(e.stdout, "  pending    %6d   not sent yet\n", st.Pending)
	if st.Sending > 0 {
		fmt.Fprintf(e.stdout, "  sending    %6d   in flight now\n", st.Sending)
	}
	fmt.Fprintf(e.stdout, "  sent       %6d", st.Sent)
	if st.SoftBounced > 0 {
		fmt.Fprintf(e.stdout, "   of which %d soft-bounced (delayed; still counted as delivered)", st.SoftBounced)
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "  failed     %6d", st.Failed)
	if st.Bounced > 0 {
		fmt.Fprintf(e.stdout, "   of which %d bounced after the server accepted them ('lvm-mail bounces')", st.Bounced)
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "  unknown    %6d   the sender stopped mid-message; 'send --resend-unknown' resends\n", st.Unknown)
	fmt.Fprintf(e.stdout, "  reminded   %6d\n", st.Reminded)
	fmt.Fprintf(e.stdout, "  opted out  %6d   stopped the reminders (they can still answer)\n", st.OptedOut)
	fmt.Fprintf(e.stdout, "  responded  %6d", st.Responded)
	if st.Invited > 0 {
		fmt.Fprintf(e.stdout, "   (%.0f%%)", 100*float64(st.Responded)/float64(st.Invited))
	}
	fmt.Fprintln(e.stdout)
	if len(st.Failures) > 0 {
		fmt.Fprintln(e.stdout, "\nFailed deliveries (the mail server's reply):")
		for _, f := range st.Failures {
			fmt.Fprintf(e.stdout, "  %s: %s\n", f.Email, f.Reply)
		}
	}
	if len(st.SoftBounces) > 0 {
		fmt.Fprintln(e.stdout, "\nSoft bounces (still counted as delivered):")
		for _, f := range st.SoftBounces {
			fmt.Fprintf(e.stdout, "  %s: %s\n", f.Email, f.Reply)
		}
	}
	return nil
}
