package survey

import (
	"embed"

	"github.com/lvm-mail/lvm-mail/locale"
)

// The page's own words, one catalog per language: catalog/LANG.toml, a
// table per page or part of one (see locale.Catalog).
//
//go:embed catalog/*.toml
var catalogFiles embed.FS

// parseCatalogs reads the embedded catalogs; every one has English's keys
// (locale.ParseCatalogs).
func parseCatalogs() (*locale.Catalogs, error) {
	return locale.ParseCatalogs(catalogFiles, "catalog")
}

// Languages returns the languages the survey page's own words are in,
// English first.
func Languages() []string {
	cs, err := parseCatalogs()
	if err != nil {
		return []string{locale.BaseLanguage}
	}
	return cs.Languages()
}
