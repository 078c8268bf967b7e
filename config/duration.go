package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A Duration is a setting such as retry_backoff or remind_after: Go's
// durations ("90s", "30m", "72h") plus days ("3d", "1d12h"), written as a
// string in the TOML file.
type Duration time.Duration

// durationFormat says what a duration looks like, for error messages.
const durationFormat = `a number and a unit, such as "90s", "30m", "72h", "3d" or "1d12h" (units: ms, s, m, h, d)`

// ParseDuration reads a duration: Go's time.ParseDuration, with a leading
// number of days ("3d", "1.5d", "1d12h") allowed. The error gives the
// format.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration: write %s", s, durationFormat)
	days, rest, hasDays := strings.Cut(s, "d")
	if !hasDays {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, bad
		}
		return d, nil
	}
	n, err := strconv.ParseFloat(days, 64)
	if err != nil || strings.ContainsAny(days, "eExXpP_") || math.IsInf(n, 0) || math.IsNaN(n) || math.Abs(n) > 100000 {
		return 0, bad
	}
	d := time.Duration(n * float64(24*time.Hour))
	if rest == "" {
		return d, nil
	}
	if rest[0] == '-' || rest[0] == '+' {
		return 0, bad
	}
	more, err := time.ParseDuration(rest)
	if err != nil {
		return 0, bad
	}
	if n < 0 {
		more = -more
	}
	return d + more, nil
}

// UnmarshalText reads the duration from a config value.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as Go does ("72h0m0s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// String formats the duration as Go does ("72h0m0s").
func (d Duration) String() string { return time.Duration(d).String() }
