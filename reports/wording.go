package reports

import (
	"embed"
	"strings"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/locale"
)

// The workbook's and the notes' words, one catalog per language:
// text/LANG.toml, a table per sheet (see locale.Catalog). Each sheet's
// words stay in its table; the code of the sheet (sheet_*.go) lays them
// out.
//
//go:embed text/*.toml
var textFiles embed.FS

// catalogs reads the embedded catalogs; every one has English's keys.
func catalogs() (*locale.Catalogs, error) {
	return locale.ParseCatalogs(textFiles, "text")
}

// Languages returns the languages the workbook's own words are in,
// English first.
func Languages() []string {
	cs, err := catalogs()
	if err != nil {
		return []string{locale.BaseLanguage}
	}
	return cs.Languages()
}

// wording is a report's words in its language, and that language's way
// with numbers and dates.
type wording struct {
	*locale.Catalog
}

// one writes v with one decimal: "57.5", "57,5".
func (w wording) one(v float64) string { return w.fixed(v, 1) }

// fixed writes v with places decimals and a real minus sign.
func (w wording) fixed(v float64, places int) string { return locale.Decimal(v, places, w.Lang()) }

// two writes a figure with two decimals, or "not known".
func (w wording) two(v *float64) string {
	if v == nil {
		return w.T("common.not_known")
	}
	return w.fixed(*v, 2)
}

// plus writes v with one decimal and its sign, plus or minus: "+3.2",
// "−3.2".
func (w wording) plus(v float64) string {
	s := w.one(v)
	if strings.HasPrefix(s, "−") {
		return s
	}
	return "+" + s
}

// interval writes an interval for reading: "57.0 to 65.4"; "" for none.
func (w wording) interval(ci *Interval) string {
	if ci == nil {
		return ""
	}
	return w.T("common.interval_words", "low", w.one(ci[0]), "high", w.one(ci[1]))
}

// percent writes a share (0..1) as a percentage with one decimal.
func (w wording) percent(v float64) string {
	return w.T("common.percent", "value", w.fixed(v*100, 1))
}

// quote puts text in the language's quotation marks: “…”, „…“, « … ».
func (w wording) quote(text string) string { return w.T("common.quote", "text", text) }

// date writes an ISO date (as the report keeps them) the language's way,
// or as it is when it is not one.
func (w wording) date(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return locale.Date(t, w.Lang())
}

// pole names a pole as a heading: "Leadership".
func (w wording) pole(p campaign.Pole) string { return w.T("pole." + string(p)) }

// verdict writes a group's verdict (MoreLeadership, …) in words.
func (w wording) verdict(differs string) string {
	switch differs {
	case MoreLeadership:
		return w.T("verdict.more_leadership")
	case MoreManagement:
		return w.T("verdict.more_management")
	case NoClearDifference:
		return w.T("verdict.none")
	}
	return differs
}

// column names a breakdown column as a heading: "Department",
// "Cost centre" (a column lvm-mail does not know, as the roster names it).
func (w wording) column(column string) string {
	switch column {
	case campaign.ColumnDepartment, campaign.ColumnLanguage:
		return w.T("column." + column)
	}
	s := strings.ReplaceAll(column, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// columnInText names a breakdown column within a sentence: "department".
func (w wording) columnInText(column string) string {
	switch column {
	case campaign.ColumnDepartment, campaign.ColumnLanguage:
		return w.T("column." + column + "_text")
	}
	return strings.ReplaceAll(column, "_", " ")
}

// value names a group's value: the pooled group and a blank in words, a
// language by its name ("German (de)"), and anything else as it is.
func (w wording) value(column, v string) string {
	switch {
	case v == campaign.PooledGroup:
		return w.T("common.pooled")
	case strings.TrimSpace(v) == "":
		return w.T("common.blank")
	case column == campaign.ColumnLanguage && locale.Known(v):
		if name := locale.Name(v, w.Lang()); name != v {
			return locale.UpperFirst(name) + " (" + v + ")"
		}
	}
	return v
}

// list joins names in the language's quotation marks: “A”, “B” and “C”.
func (w wording) list(names []string) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			b.WriteString(w.T("common.list_and"))
		default:
			b.WriteString(", ")
		}
		b.WriteString(w.quote(n))
	}
	return b.String()
}
