package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/reports"
)

func (e *env) reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "write a campaign's results: an Excel workbook for owners, or JSON",
		ArgsUsage: " ",
		Description: "Writes the results as an Excel workbook (Summary, Change with --compare, Groups, Group\n" +
			"dimensions, Dimensions, Items, Comments, Method) or, with --format json, the same figures\n" +
			"as JSON. Results by group and comments appear only once the campaign is closed, and\n" +
			"only for groups large enough to keep answers anonymous; names, email addresses and\n" +
			"phone numbers in comments are replaced.\n\n" +
			"Examples:\n" +
			"  lvm-mail report --campaign q4-pulse-2026                      (writes q4-pulse-2026.xlsx)\n" +
			"  lvm-mail report --campaign q4-pulse-2026 --out results.xlsx --compare q2-pulse-2026\n" +
			"  lvm-mail report --campaign q4-pulse-2026 --format json > results.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.StringFlag{Name: "out", Usage: "write to `FILE` (default: CAMPAIGN.xlsx; JSON goes to standard output)"},
			&cli.StringFlag{Name: "format", Usage: "`xlsx` or json (default: json when --out ends in .json, else xlsx)"},
			&cli.StringFlag{Name: "compare", Usage: "add the change since an earlier campaign `C2`"},
		},
		Action: e.report,
	}
}

func (e *env) report(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("report takes no arguments (got %q); name the campaign with --campaign", c.Args().First())
	}
	out := c.String("out")
	format := strings.ToLower(c.String("format"))
	switch {
	case format == "" && strings.EqualFold(filepath.Ext(out), ".json"):
		format = "json"
	case format == "":
		format = "xlsx"
	case format != "xlsx" && format != "json":
		return usagef("--format %q: want xlsx or json", c.String("format"))
	}

	store, camp, err := e.openCampaign(c.Context, c.String("campaign"))
	if err != nil {
		return err
	}
	defer store.Close()
	opts := reports.Options{Now: e.now, Rand: e.random}
	rep, err := reports.Load(c.Context, store, camp, opts)
	if err != nil {
		return err
	}
	if ref := c.String("compare"); ref != "" {
		earlier, err := findCampaign(c.Context, store, ref)
		if err != nil {
			return err
		}
		if earlier.ID == camp.ID {
			return usagef("--compare %s: name a different campaign to compare with", ref)
		}
		before, err := reports.Load(c.Context, store, earlier, opts)
		if err != nil {
			return err
		}
		rep.CompareWith(before)
	}

	var buf bytes.Buffer
	if format == "json" {
		if err := reports.WriteJSON(&buf, rep); err != nil {
			return err
		}
		if out == "" {
			if err := e.markGroupReport(c.Context, store, camp, rep); err != nil {
				return err
			}
			_, err := e.stdout.Write(buf.Bytes())
			return err
		}
	} else {
		if err := reports.WriteWorkbook(&buf, rep); err != nil {
			return err
		}
		if out == "" {
			out = camp.Slug + ".xlsx"
		}
	}
	if err := e.markGroupReport(c.Context, store, camp, rep); err != nil {
		return err
	}
	if err := writeFileAtomic(out, &buf); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s: %s, %d of %d invited responded.\n", out, camp.Name, rep.Responded, rep.Invited)
	for _, n := range rep.Notes {
		fmt.Fprintf(e.stdout, "  Note: %s\n", n)
	}
	return nil
}

// markGroupReport records, before a report with results by group leaves
// lvm-mail, that one was written for the closed campaign: from then on it
// cannot be reopened.
func (e *env) markGroupReport(ctx context.Context, store *campaign.Store, camp *campaign.Campaign, rep *reports.Report) error {
	if !rep.Closed || len(rep.Groups) == 0 {
		return nil
	}
	return store.MarkGroupReport(ctx, camp.ID)
}

// writeFileAtomic writes r to path through a temporary file in the same
// folder, so that a reader never sees half a report and a failed run leaves
// any earlier report in place.
func writeFileAtomic(path string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
