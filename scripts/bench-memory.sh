#!/bin/sh
# bench-memory.sh prints the peak resident memory (RSS) of lvm-mail's
# commands at two sizes of organisation, and how it grows between them:
#
#   staff import     the roster, a CSV file
#   campaign create  every active person invited, broken down by site
#   send             every invitation, rate 0, to an SMTP server that
#                    discards them (mailer/smtptest, in scripts/benchmem)
#   report           the workbook of the closed campaign, 60% answered
#
#   scripts/bench-memory.sh                 # 20,000 and 200,000 staff
#   scripts/bench-memory.sh 2000 20000      # any two sizes, smaller first
#
# Each command runs once, as its own process, under /usr/bin/time. The goal
# (issue 12): at most 80 MB at the larger size, and at most 1.5 times the
# smaller size's peak. Lines that miss it say so, and the script then exits
# with status 1. It needs GNU time (apt-get install time) and about 1 GB of
# disk in $TMPDIR for 200,000 staff; the larger size takes a few minutes.
set -eu
cd "$(dirname "$0")/.."

small=${1:-20000}
large=${2:-200000}
goal_mb=80
goal_growth=1.5

[ -x /usr/bin/time ] || { echo "bench-memory.sh needs GNU time: apt-get install time" >&2; exit 1; }
tmp=$(mktemp -d)
smtp_pid=
cleanup() {
	[ -n "$smtp_pid" ] && kill "$smtp_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

go build -o "$tmp/lvm-mail" ./cmd/lvm-mail
go build -o "$tmp/benchmem" ./scripts/benchmem

# The SMTP server runs until its input closes: a FIFO held open by sleep.
mkfifo "$tmp/smtp.in"
"$tmp/benchmem" smtp <"$tmp/smtp.in" >"$tmp/smtp.addr" &
smtp_pid=$!
exec 3>"$tmp/smtp.in"
while [ ! -s "$tmp/smtp.addr" ]; do sleep 0.1; done
addr=$(cat "$tmp/smtp.addr")

# measure SIZE NAME COMMAND...: runs an lvm-mail command and records its
# peak RSS in KB.
measure() {
	size=$1 name=$2
	shift 2
	/usr/bin/time -f %M -o "$tmp/rss" "$@" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
	printf '%s\t%s\t%s\n' "$size" "$name" "$(tail -n 1 "$tmp/rss")" >>"$tmp/results"
	printf '  %-16s %8.1f MB\n' "$name" "$(tail -n 1 "$tmp/rss" | awk '{ print $1 / 1024 }')"
}

for n in "$small" "$large"; do
	dir="$tmp/n$n"
	mkdir "$dir"
	cat >"$dir/lvm-mail.toml" <<TOML
organisation = "Bench Bakeries"
database = "$dir/bench.db"
[smtp]
from = "People Team <people@bench.example>"
host = "${addr%:*}"
port = ${addr##*:}
tls = "none"
rate = 0
concurrency = 4
TOML
	echo "$n staff:"
	"$tmp/benchmem" roster "$n" >"$dir/staff.csv"
	measure "$n" "staff import" "$tmp/lvm-mail" --config "$dir/lvm-mail.toml" staff import "$dir/staff.csv"
	measure "$n" "campaign create" "$tmp/lvm-mail" --config "$dir/lvm-mail.toml" campaign create --name Bench --breakdown site
	measure "$n" "send" "$tmp/lvm-mail" --config "$dir/lvm-mail.toml" send --campaign bench --no-link-check
	"$tmp/benchmem" answer "$dir/bench.db" "$dir/bench.db.key" bench 0.6
	"$tmp/lvm-mail" --config "$dir/lvm-mail.toml" campaign close bench >/dev/null
	measure "$n" "report" "$tmp/lvm-mail" --config "$dir/lvm-mail.toml" report --campaign bench --out "$dir/report.xlsx"
	sed -n 's/^Wrote [^:]*: /    /p' "$tmp/out" # how many responded
	rm -f "$dir/bench.db" "$dir/staff.csv"
done

echo
awk -F '\t' -v small="$small" -v large="$large" -v goal="$goal_mb" -v growth="$goal_growth" '
	{ rss[$1, $2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
	END {
		printf "%-16s %12s %12s %8s   goal: <= %d MB at %d, growth <= %.1fx\n", "peak RSS (MB)", small, large, "growth", goal, large, growth
		bad = 0
		for (i = 0; i < n; i++) {
			c = order[i]; a = rss[small, c] / 1024; b = rss[large, c] / 1024; g = b / a
			verdict = (b <= goal && g <= growth) ? "ok" : "MISSES THE GOAL"
			if (verdict != "ok") bad = 1
			printf "%-16s %12.1f %12.1f %7.2fx   %s\n", c, a, b, g, verdict
		}
		exit bad
	}' "$tmp/results"
