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
			"Answers given in every language count together. The workbook's words, the dimension\n" +
			"names, the statements and the JSON's names are in --language (one of the campaign's\n" +
			"languages; default survey.default_language, or else the campaign's default).\n\n" +
			"Examples:\n" +
			"  lvm-mail report --campaign q4-pulse-2026                      (writes q4-pulse-2026.xlsx)\n" +
			"  lvm-mail report --campaign q4-pulse-2026 --out results.xlsx --compare q2-pulse-2026\n" +
			"  lvm-mail report --campaign q4-pulse-2026 --language de --out ergebnisse.xlsx\n" +
			"  lvm-mail report --campaign q4-pulse-2026 --format json > results.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the `CAMPAIGN` (slug or id)"},
			&cli.StringFlag{Name: "out", Usage: "write to `FILE` (default: CAMPAIGN.xlsx; JSON goes to standard output)"},
			&cli.StringFlag{Name: "format", Usage: "`xlsx` or json (default: json when --out ends in .json, else xlsx)"},
			&cli.StringFlag{Name: "compare", Usage: "add the change since an earlier campaign `C2`"},
			&cli.StringFlag{Name: "language", Usage: "write it in `XX`, one of the campaign's languages (default: survey.default_language)"},
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
	lang, err := reportLanguage(camp, c.String("language"), e.cfg.Survey.DefaultLanguage)
	if err != nil {
		return err
	}
	opts := reports.Options{Now: e.now, Rand: e.random, Language: lang}
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
		beforeOpts := opts
		if _, ok := campaign.MatchLanguage(lang, earlier.Instrument.Languages()); !ok {
			beforeOpts.Language = "" // its own default: only its figures and ids are compared
		}
		before, err := reports.Load(c.Context, store, earlier, beforeOpts)
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
	fmt.Fprintf(e.stdout, "Wrote %s: %s, %d of %d invited responded, in %s.\n", out, camp.Name, rep.Responded, rep.Invited, rep.Language)
	if _, ok := campaign.MatchLanguage(rep.Language, reports.Languages()); !ok {
		fmt.Fprintf(e.stdout, "  Note: the workbook's own words are in %s only; its statements and dimension names are in %s, the rest in English.\n",
			strings.Join(reports.Languages(), ", "), rep.Language)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(e.stdout, "  Note: %s\n", n)
	}
	return nil
}

// reportLanguage chooses the language of a report: asked, when the
// campaign has it (along its tag); else survey.default_language when the
// campaign has it; else the campaign's own default. A language asked for
// that the campaign does not have is a usage error.
func reportLanguage(camp *campaign.Campaign, asked, configured string) (string, error) {
	langs := camp.Instrument.Languages()
	if asked != "" {
		lang, ok := campaign.MatchLanguage(asked, langs)
		if !ok {
			return "", usagef("--language %s: campaign %s is in %s", asked, camp.Slug, strings.Join(langs, ", "))
		}
		return lang, nil
	}
	if lang, ok := campaign.MatchLanguage(configured, langs); ok {
		return lang, nil
	}
	return camp.Instrument.FallbackLanguage(), nil
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
