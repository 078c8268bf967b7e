package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/config"
)

// linkCheckTimeout bounds the preflight's request to base_url/healthz.
const linkCheckTimeout = 10 * time.Second

// preflight checks, before send or remind hands the first message to the
// mail server, the settings a message depends on: that base_url is a link
// staff can use, that organisation and from are no longer the examples,
// and, when checkLink is set, that base_url/healthz answers from a serve on
// this very database. It returns what it checked and did not, for the
// summary, or an error that names the setting.
func (e *env) preflight(ctx context.Context, store *campaign.Store, checkLink bool) ([]string, error) {
	u, err := checkBaseURL(e.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	example := config.Default()
	if strings.TrimSpace(e.cfg.Organisation) == example.Organisation {
		return nil, fmt.Errorf("organisation is still the example %q: set your organisation's name in %s (staff see it in the email and on the survey)",
			example.Organisation, e.configName())
	}
	from, err := mail.ParseAddress(e.cfg.SMTP.From)
	if err != nil {
		return nil, fmt.Errorf("smtp.from %q is not an address such as \"People Team <people@yourcompany.com>\": %v", e.cfg.SMTP.From, err)
	}
	if strings.HasSuffix(strings.ToLower(from.Address), "@example.com") {
		return nil, fmt.Errorf("smtp.from is still the example %q: set the address staff will see the email come from in %s", e.cfg.SMTP.From, e.configName())
	}
	if !checkLink {
		return []string{"the survey link (base_url/healthz) was not checked"}, nil
	}
	want, err := store.DatabaseID(ctx)
	if err != nil {
		return nil, err
	}
	got, err := healthz(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("base_url %s: %w; is 'lvm-mail serve' running there? (--no-link-check sends without this check, if the survey is not reachable from this machine)", e.cfg.BaseURL, err)
	}
	if got != want {
		return nil, fmt.Errorf("base_url %s reaches a survey running on another database: the links in this campaign's emails would not work there; "+
			"point base_url at the serve of %s, or run serve on it", e.cfg.BaseURL, e.cfg.Database)
	}
	return []string{fmt.Sprintf("the survey at %s answers from this database", e.cfg.BaseURL)}, nil
}

// configName names where settings are written, for messages.
func (e *env) configName() string {
	if e.cfg.File != "" {
		return e.cfg.File
	}
	return config.DefaultFile
}

// checkBaseURL makes sure base_url can go into an email as the start of
// every link: an absolute http or https URL, with a path prefix at most.
func checkBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("base_url %q is not a URL: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fmt.Errorf("base_url %q must be an absolute http or https URL, such as https://survey.example.com", raw)
	case u.User != nil:
		return nil, fmt.Errorf("base_url %q must not hold a user name or password: every email would carry it", raw)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("base_url %q must not have a query (?…): links are base_url/s/TOKEN", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("base_url %q must not have a fragment (#…): links are base_url/s/TOKEN", raw)
	}
	return u, nil
}

// healthz asks the survey at base for the id of the database it serves.
func healthz(ctx context.Context, base *url.URL) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, linkCheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base.String(), "/")+"/healthz", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("GET /healthz: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return "", fmt.Errorf("GET /healthz: %w", err)
	}
	var h struct {
		Status   string `json:"status"`
		Database string `json:"database"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &h) != nil || h.Status != "ok" {
		return "", fmt.Errorf("GET /healthz answered %s, not lvm-mail's health check", resp.Status)
	}
	return h.Database, nil
}
