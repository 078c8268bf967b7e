package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/roster"
)

func (e *env) staffCommand() *cli.Command {
	return &cli.Command{
		Name:  "staff",
		Usage: "import and list the staff roster",
		Subcommands: []*cli.Command{
			{
				Name:      "import",
				Usage:     "import a roster (.csv or .xlsx) and update people already known",
				ArgsUsage: "FILE",
				Description: "The roster needs the columns email, name (or first_name and last_name) and\n" +
					"department; every other column (location, team, ...) is kept for --where and for\n" +
					"report breakdowns. The import is all or nothing: every problem is listed with\n" +
					"its line number and nothing changes until the file is clean.",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "deactivate-missing", Usage: "mark people missing from this (full) roster inactive"},
				},
				Action: e.importStaff,
			},
			{
				Name:      "set-email",
				Usage:     "correct a person's address; they keep their link in every campaign",
				ArgsUsage: "OLD NEW",
				Description: "Corrects a mistyped or changed address. The person keeps their place and their link\n" +
					"in every campaign. An invitation the mail server refused can then be sent again with\n" +
					"'lvm-mail send --campaign C --retry-failed'.\n\n" +
					"Examples:\n" +
					"  lvm-mail staff set-email jon.smiht@example.com jon.smith@example.com",
				Action: e.setEmail,
			},
			{
				Name:      "list",
				Usage:     "list the staff, one person a line",
				ArgsUsage: " ",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "all", Usage: "include inactive people"},
				},
				Action: e.listStaff,
			},
		},
	}
}

func (e *env) importStaff(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("staff import takes one FILE (.csv or .xlsx)")
	}
	people, lines, err := roster.ReadLines(c.Args().First())
	if err != nil {
		return err
	}
	store, err := e.openStore(c.Context, true)
	if err != nil {
		return err
	}
	defer store.Close()
	sum, err := store.ImportStaff(c.Context, people, campaign.ImportOptions{DeactivateMissing: c.Bool("deactivate-missing")})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Imported %s: %d added, %d updated, %d unchanged, %d deactivated.\n",
		c.Args().First(), sum.Added, sum.Updated, sum.Unchanged, sum.Deactivated)
	if note := e.languageNote(people, lines); note != "" {
		fmt.Fprintln(e.stdout, note)
	}
	return nil
}

func (e *env) listStaff(c *cli.Context) error {
	store, err := e.openStore(c.Context, false)
	if err != nil {
		return err
	}
	defer store.Close()
	people, err := store.FindStaff(c.Context, campaign.StaffFilter{ActiveOnly: !c.Bool("all")})
	if err != nil {
		return err
	}
	if len(people) == 0 {
		fmt.Fprintln(e.stdout, "No staff yet. Import a roster with: lvm-mail staff import FILE")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tDEPARTMENT\tLANGUAGE\tOTHER\tACTIVE")
	for _, m := range people {
		var other []string
		for _, k := range slices.Sorted(maps.Keys(m.Attributes)) {
			if k != campaign.ColumnLanguage {
				other = append(other, k+"="+m.Attributes[k])
			}
		}
		lang := m.Language()
		if lang == "" {
			lang = "-"
		}
		active := "yes"
		if !m.Active {
			active = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Email, m.Name, m.Department, lang, strings.Join(other, " "), active)
	}
	return tw.Flush()
}

func (e *env) setEmail(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef("staff set-email takes the OLD and the NEW address")
	}
	old, new := c.Args().Get(0), c.Args().Get(1)
	store, err := e.openStore(c.Context, false)
	if err != nil {
		return err
	}
	defer store.Close()
	failedIn, err := store.SetEmail(c.Context, old, new)
	switch {
	case errors.Is(err, campaign.ErrStaffNotFound):
		return fmt.Errorf("no one on the roster has the address %s ('lvm-mail staff list --all' shows everyone)", old)
	case errors.Is(err, campaign.ErrEmailTaken):
		return fmt.Errorf("%s belongs to someone else on the roster already", new)
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s, with the same links.\n", old, campaign.NormalizeEmail(new))
	for _, slug := range failedIn {
		fmt.Fprintf(e.stdout, "Their invitation to %s was refused: send it again with: lvm-mail send --campaign %s --retry-failed\n", slug, slug)
	}
	return nil
}
