package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

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
			"The message is in the person's language (the roster's language column, as the\n" +
			"campaign matches it); --language shows it in another of the campaign's languages,\n" +
			"so that a native speaker can read each one before anything is sent. A language\n" +
			"without email templates of its own gets the default language's, and preview says so.\n\n" +
			"Examples:\n" +
			"  lvm-mail preview --campaign q4-pulse-2026\n" +
			"  lvm-mail preview --campaign q4-pulse-2026 --recipient zoe@example.com --reminder\n" +
			"  lvm-mail preview --campaign q4-pulse-2026 --language de --to muttersprachler@example.com",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.StringFlag{Name: "recipient", Usage: "the invitee's `EMAIL` (default: the first invitee)"},
			&cli.StringFlag{Name: "to", Usage: "send the message as a test to `EMAIL` instead of printing it"},
			&cli.BoolFlag{Name: "reminder", Usage: "show the reminder instead of the invitation"},
			&cli.StringFlag{Name: "language", Usage: "write it in `XX`, one of the campaign's languages, instead of the person's"},
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
	if tag := c.String("language"); tag != "" {
		lang, ok := campaign.MatchLanguage(tag, camp.Instrument.Languages())
		if !ok {
			return usagef("--language %s: campaign %s is in %s", tag, camp.Slug, strings.Join(camp.Instrument.Languages(), ", "))
		}
		letter.Language = lang
	}
	language := languageLine(comp, letter)
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
		fmt.Fprintf(e.stdout, "Sent a test of %s's %s to %s (%s).\n%s\n"+
			"Its subject starts with [TEST] and its link is a placeholder that opens no survey. Nothing else changed.\n",
			r.Email, what, to, out.Reply, language)
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
	fmt.Fprintf(w, "the placeholder %s instead of this person's token.\n", mailer.PlaceholderToken)
	fmt.Fprintf(w, "%s\n\n", language)
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

// languageLine says in which language a letter is written, and why: the
// person's language in the campaign, or the one asked for, and the default
// language's templates when that language has none of its own.
func languageLine(comp *mailer.Composer, l mailer.Letter) string {
	lang, own := comp.Language(l)
	want := l.Language
	why := "the language asked for"
	if want == "" {
		want, _ = l.Campaign.Instrument.MatchLanguage(l.Recipient.Language)
		why = "this person's language in the campaign"
		if l.Recipient.Language != "" && l.Recipient.Language != want {
			why += fmt.Sprintf(", for %s on the roster", l.Recipient.Language)
		}
	}
	if own {
		return fmt.Sprintf("Language: %s (%s).", lang, why)
	}
	return fmt.Sprintf("Language: %s, %s, has no email templates of its own, so this is the %s text of the default language, "+
		"as people in %s will get it (add the folder %s/ to templates_dir to change that).", want, why, lang, want, want)
}
