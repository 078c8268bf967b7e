package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
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
					"department; every other column (location, team, ...) is kept for --where and can\n" +
					"be a report breakdown (campaign create --breakdown). The import is all or nothing:\n" +
					"every problem is listed with its line number and nothing changes until the file\n" +
					"is clean. Flags may come before or after FILE.",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "deactivate-missing", Usage: "mark people missing from this (full) roster inactive"},
					&cli.BoolFlag{Name: "verbose", Usage: "name everyone added, updated or deactivated (default: the first 10 of each)"},
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
	r, err := roster.Open(c.Args().First())
	if err != nil {
		return err
	}
	defer r.Close()
	_, statErr := os.Stat(e.cfg.Database)
	fresh := errors.Is(statErr, fs.ErrNotExist)
	store, err := e.openStore(c.Context, true)
	if err != nil {
		return err
	}
	defer store.Close()
	opts := campaign.ImportOptions{DeactivateMissing: c.Bool("deactivate-missing"), List: namesListed}
	if c.Bool("verbose") {
		opts.List = -1
	}
	languages := e.newLanguageNote()
	sum, err := store.ImportRoster(c.Context, r.Source(), languages.watch(r.Rows()), opts)
	if err != nil {
		if fresh {
			e.dropEmptyDatabase(c.Context, store)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "Imported %s: %d added, %d updated, %d unchanged, %d deactivated.\n",
		c.Args().First(), sum.Added, sum.Updated, sum.Unchanged, sum.Deactivated)
	e.listPeople("Added", sum.Added, sum.AddedPeople)
	e.listPeople("Updated", sum.Updated, sum.UpdatedPeople)
	e.listPeople("Deactivated", sum.Deactivated, sum.DeactivatedPeople)
	for _, w := range r.Warnings() {
		fmt.Fprintf(e.stdout, "Warning: %s\n", w)
	}
	if s := languages.String(); s != "" {
		fmt.Fprintln(e.stdout, s)
	}
	profiles, err := store.FindColumnProfiles(c.Context)
	if err != nil {
		return err
	}
	e.printBreakdownColumns(profiles)
	return nil
}

// dropEmptyDatabase removes the database a refused first import created,
// so that a refused import leaves nothing behind: the roster is read while
// it is imported, so its problems show only once the database is open. It
// removes nothing while the database holds anyone or any campaign.
func (e *env) dropEmptyDatabase(ctx context.Context, store *campaign.Store) {
	staff, err := store.FindStaff(ctx, campaign.StaffFilter{})
	if err != nil || len(staff) > 0 {
		return
	}
	if camps, err := store.FindCampaigns(ctx); err != nil || len(camps) > 0 {
		return
	}
	if store.Close() != nil {
		return
	}
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(e.cfg.Database + suffix) // the last three may not exist
	}
}

// printBreakdownColumns says which roster columns reports can break down
// by, and which only choose the audience.
func (e *env) printBreakdownColumns(profiles []campaign.ColumnProfile) {
	var groups, unique []string
	for _, p := range profiles {
		item := fmt.Sprintf("%s (%s)", p.Column, p.Describe())
		if p.MostlyUnique() {
			unique = append(unique, item)
		} else {
			groups = append(groups, item)
		}
	}
	if len(groups) == 0 {
		fmt.Fprintln(e.stdout, "Reports break down by department; no other column groups people.")
	} else {
		fmt.Fprintf(e.stdout, "Columns to break reports down by (--breakdown COLUMN or survey.breakdowns):\n  %s\n",
			strings.Join(groups, ", "))
	}
	if len(unique) > 0 {
		fmt.Fprintf(e.stdout, "Columns for --where only, their values mostly unique:\n  %s\n", strings.Join(unique, ", "))
	}
}

// namesListed is how many people of each kind an import names without
// --verbose.
const namesListed = 10

// listPeople prints the people of one kind an import changed, and how many
// more there were.
func (e *env) listPeople(what string, n int, people []campaign.StaffRef) {
	if n == 0 {
		return
	}
	fmt.Fprintf(e.stdout, "%s (%d):\n", what, n)
	for _, p := range people {
		fmt.Fprintf(e.stdout, "  %s <%s>\n", p.Name, p.Email)
	}
	if more := n - len(people); more > 0 {
		fmt.Fprintf(e.stdout, "  … and %d more (--verbose lists them all)\n", more)
	}
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
