package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/mailer"
)

func (e *env) previewCommand() *cli.Command {
	return &cli.Command{
		Name:      "preview",
		Usage:     "show the exact email a person will get, or send it to yourself as a test",
		ArgsUsage: " ",
		Description: "Prints the invitation (or, with --reminder, the next reminder) of one person:\n" +
			"every header and both the plain-text and the HTML part, decoded so you can read\n" +
			"them. To keep private links out of terminals and their scrollback, the link shows\n" +
			"the placeholder " + mailer.PlaceholderToken + "\n" +
			"where the person's token goes; everything else is exactly what will be sent.\n\n" +
			"With --to, the message is sent to that address instead of printed, with \"[TEST] \"\n" +
			"before its subject, a header X-LVM-Mail-Test: yes, and the placeholder link. It\n" +
			"changes nothing: the person's invitation is still due.\n\n" +
			"Examples:\n" +
			"  lvm-mail preview --campaign q4-pulse-2026\n" +
			"  lvm-mail preview --campaign q4-pulse-2026 --recipient zoe@example.com --reminder\n" +
			"  lvm-mail preview --campaign q4-pulse-2026 --to me@example.com",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.StringFlag{Name: "recipient", Usage: "the invitee's `EMAIL` (default: the first invitee)"},
			&cli.StringFlag{Name: "to", Usage: "send the message as a test to `EMAIL` instead of printing it"},
			&cli.BoolFlag{Name: "reminder", Usage: "show the reminder instead of the invitation"},
		},
		Action: e.preview,
	}
}

func (e *env) preview(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("preview takes no arguments (got %q); name the campaign with --campaign", c.Args().First())
	}
	to := c.String("to")
	if to != "" {
		if err := campaign.ValidateEmail(to); err != nil {
			return usagef("--to: %v", err)
		}
	}
	ctx := c.Context
	store, camp, err := e.openCampaign(ctx, c.String("campaign"))
	if err != nil {
		return err
	}
	defer store.Close()
	var r *campaign.Recipient
	if email := c.String("recipient"); email != "" {
		r, err = store.FindRecipientByEmail(ctx, camp.ID, email)
		if errors.Is(err, campaign.ErrRecipientNotFound) {
			return fmt.Errorf("%s is not invited to campaign %s: check the address, or leave out --recipient to see the first invitee", email, camp.Slug)
		}
		if err != nil {
			return err
		}
	} else {
		all, err := store.FindRecipients(ctx, camp.ID)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return fmt.Errorf("campaign %s has no invitees", camp.Slug)
		}
		r = &all[0]
	}
	comp, err := e.composer()
	if err != nil {
		return err
	}
	letter := mailer.Letter{Kind: campaign.Invitation, Campaign: camp, Recipient: r,
		Link: mailer.Link(e.cfg.BaseURL, mailer.PlaceholderToken), Test: to != ""}
	what := "invitation"
	if c.Bool("reminder") {
		letter.Kind, letter.Reminder, what = campaign.Reminder, r.RemindersSent+1, fmt.Sprintf("reminder %d", r.RemindersSent+1)
	}
	if to != "" {
		test := *r
		test.Email = to
		letter.Recipient = &test
	}
	m, err := comp.Compose(letter)
	if err != nil {
		return err
	}

	if to != "" {
		snd, err := e.sender(e.logger())
		if err != nil {
			return err
		}
		out, err := snd.SendOne(ctx, &mailer.Job{Msg: m, To: to, RecipientID: r.ID, Kind: letter.Kind})
		if err != nil {
			return err
		}
		if out.Result != campaign.Delivered {
			return fmt.Errorf("the test %s to %s was not sent: %s", what, to, out.Reply)
		}
		fmt.Fprintf(e.stdout, "Sent a test of %s's %s to %s (%s).\n"+
			"Its subject starts with [TEST] and its link is a placeholder that opens no survey. Nothing else changed.\n",
			r.Email, what, to, out.Reply)
		return nil
	}

	var raw bytes.Buffer
	if _, err := m.WriteTo(&raw); err != nil {
		return fmt.Errorf("write the %s: %w", what, err)
	}
	d, err := mailer.Decode(raw.Bytes())
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "The %s of %s in campaign %s, as it will be sent, except that the link shows\n", what, r.Email, camp.Slug)
	fmt.Fprintf(w, "the placeholder %s instead of this person's token.\n\n", mailer.PlaceholderToken)
	for _, f := range d.Header {
		fmt.Fprintf(w, "%s: %s\n", f.Name, f.Value)
		if f.Value != f.Raw {
			fmt.Fprintf(w, "    (encoded as: %s)\n", f.Raw)
		}
	}
	for i, part := range d.Parts {
		content := d.Text
		if part == "text/html" {
			content = d.HTML
		}
		fmt.Fprintf(w, "\n----- part %d: %s -----\n%s", i+1, part, content)
	}
	return nil
}
