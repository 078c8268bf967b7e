package main

import (
	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

func (e *env) remindCommand() *cli.Command {
	return &cli.Command{
		Name:      "remind",
		Usage:     "remind the invitees who have not answered yet (safe to run again)",
		ArgsUsage: " ",
		Description: "Sends a reminder, with the same private link as the invitation, to each person\n" +
			"who was sent the invitation and has not answered: at most survey.max_reminders\n" +
			"times, and no sooner than survey.remind_after after the previous email. Never for\n" +
			"a closed campaign. Running it again right away sends nothing.\n\n" +
			"If lvm-mail dies while a reminder is with the mail server, that reminder counts as\n" +
			"sent: a reminder whose fate is unknown is never resent. Only one send or remind\n" +
			"runs for a campaign at a time.\n\n" +
			"Examples:\n" +
			"  lvm-mail remind --campaign q4-pulse-2026 --dry-run\n" +
			"  lvm-mail remind --campaign q4-pulse-2026",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "render and check every reminder; connect to nothing, send nothing"},
		},
		Action: func(c *cli.Context) error { return e.deliver(c, campaign.Reminder) },
	}
}
