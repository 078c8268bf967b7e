package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/bounces"
	"github.com/lvm-mail/lvm-mail/campaign"
)

func (e *env) bouncesCommand() *cli.Command {
	return &cli.Command{
		Name:      "bounces",
		Usage:     "read the bounces that came back to the [bounces] mailbox (safe to run again)",
		ArgsUsage: " ",
		Description: "A mail server's 250 is not delivery: Microsoft 365, Google and others accept a message\n" +
			"and send a bounce back later. This reads the [bounces] IMAP folder, recognises the\n" +
			"delivery reports (RFC 3464, Exchange and Microsoft 365, Gmail, Exim, ...) of messages\n" +
			"lvm-mail sent, and records them:\n" +
			"  - a hard bounce (5.x.x) marks the person failed, with the server's words; 'status'\n" +
			"    lists them and the report no longer counts them as delivered. Fix the address\n" +
			"    ('lvm-mail staff set-email') and send again ('send --retry-failed');\n" +
			"  - a soft bounce (4.x.x: mailbox full, delayed) is counted and shown, not failed.\n" +
			"Recorded reports are flagged " + bounces.ProcessedKeyword + " and never counted twice. Every other\n" +
			"message (replies, out-of-office notices, other mail) is left as it was.\n\n" +
			"Without --campaign it records the bounces of every open campaign.\n\n" +
			"Examples:\n" +
			"  lvm-mail bounces\n" +
			"  lvm-mail bounces --campaign q4-pulse-2026",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "only this `CAMPAIGN` (slug or id), open or closed"},
		},
		Action: e.readBounces,
	}
}

func (e *env) readBounces(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("bounces takes no arguments (got %q); name a campaign with --campaign", c.Args().First())
	}
	ctx := c.Context
	var camps []*campaign.Campaign
	var store *campaign.Store
	if ref := c.String("campaign"); ref != "" {
		s, camp, err := e.openCampaign(ctx, ref)
		if err != nil {
			return err
		}
		store, camps = s, []*campaign.Campaign{camp}
	} else {
		s, err := e.openStore(ctx, false)
		if err != nil {
			return err
		}
		store = s
		all, err := store.FindCampaigns(ctx)
		if err != nil {
			store.Close()
			return err
		}
		for i := range all {
			if !all[i].Closed(e.now()) {
				camps = append(camps, &all[i].Campaign)
			}
		}
	}
	defer store.Close()
	if len(camps) == 0 {
		fmt.Fprintln(e.stdout, "No open campaigns: nothing to read bounces for. Name a closed one with --campaign.")
		return nil
	}
	b := e.cfg.Bounces
	run := &bounces.Run{Store: store, Campaigns: camps, Mailbox: bounces.Mailbox{Host: b.Host, Port: b.Port, TLS: b.TLS,
		Username: b.Username, Password: b.Password, Folder: b.Folder}}
	sum, err := run.Read(ctx)
	e.printBounces(sum, b.Folder, b.Host)
	return err
}

// printBounces tells HR what a bounces run found.
func (e *env) printBounces(sum bounces.Summary, folder, host string) {
	w := e.stdout
	fmt.Fprintf(w, "Read %d new messages in %s on %s.\n", sum.Read, folder, host)
	entries(w, "hard bounces", sum.Failed, "now failed: fix the address ('lvm-mail staff set-email') and run 'send --retry-failed'")
	entries(w, "soft bounces", sum.Soft, "counted, not failed: delivery was delayed or refused for a while")
	if n := sum.Again + sum.Seen + sum.Tests; n > 0 {
		fmt.Fprintf(w, "  %-14s %5d   already failed, recorded before, or of test messages\n", "nothing new", n)
	}
	fmt.Fprintf(w, "Left as they were: %d not bounces, %d bounces of other mail, %d of other campaigns, %d unreadable.\n",
		sum.Unrelated, sum.NotOurs, sum.OtherCampaigns, sum.Malformed)
	if sum.NoKeywords {
		fmt.Fprintf(w, "The folder keeps no keywords, so every message is read each time; each bounce is still recorded once.\n")
	}
}

// entries prints a count, what it means when there are any, and each one.
func entries(w io.Writer, what string, es []bounces.Entry, meaning string) {
	fmt.Fprintf(w, "  %-14s %5d", what, len(es))
	if len(es) > 0 {
		fmt.Fprint(w, "   "+meaning)
	}
	fmt.Fprintln(w)
	for _, e := range es {
		fmt.Fprintf(w, "    %s (%s): %s %s\n", e.Email, e.Campaign, e.Status, e.Diagnostic)
	}
}
