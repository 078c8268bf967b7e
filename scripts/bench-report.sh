#!/bin/sh
# bench-report.sh runs the report benchmarks and shows how their time grows
# from 10,000 to 100,000 responses to the 20-statement default instrument.
#
#   scripts/bench-report.sh             # 5 runs of each, 3 iterations a run
#   COUNT=10 BENCHTIME=5x scripts/bench-report.sh
#
# For each size it prints the fastest run (the least disturbed by other work
# on the machine), the time per response, and that time divided by the time
# per response at 10,000: about 1 means the time grows linearly. The
# marginal cost, (t(100k) − t(10k)) ÷ 90,000, leaves out the fixed cost of
# laying out the workbook, which makes small reports dearer per response.
# Then it runs the 100,000-response report once under /usr/bin/time for the
# peak resident memory of the whole process.
set -eu
cd "$(dirname "$0")/.."

count=${COUNT:-5}
benchtime=${BENCHTIME:-3x}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/reports.test" ./reports
"$tmp/reports.test" -test.run '^$' -test.bench '^(BenchmarkScore|BenchmarkReport)$' \
	-test.benchtime "$benchtime" -test.count "$count" -test.benchmem | tee "$tmp/bench.txt"

echo
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	split(name, part, "/"); bench = part[1]; size = part[2]
	ns = $3 + 0
	if (!((bench, size) in best) || ns < best[bench, size]) {
		best[bench, size] = ns
		for (i = 4; i < NF; i++) if ($(i + 1) == "peak-heap-MB") heap[bench, size] = $i
	}
	benches[bench] = 1
}
END {
	n["10k"] = 10000; n["30k"] = 30000; n["100k"] = 100000
	for (b in benches) {
		printf "%s (fastest of the runs)\n", b
		printf "  %-6s %12s %14s %12s %14s\n", "size", "ms", "ns/response", "ratio", "peak heap MB"
		base = best[b, "10k"] / n["10k"]
		for (k = 1; k <= 3; k++) {
			s = (k == 1 ? "10k" : k == 2 ? "30k" : "100k")
			if (!((b, s) in best)) continue
			per = best[b, s] / n[s]
			printf "  %-6s %12.1f %14.0f %12.2f %14s\n", s, best[b, s] / 1e6, per, per / base, heap[b, s]
		}
		if (((b, "10k") in best) && ((b, "100k") in best))
			printf "  marginal cost 10k→100k: %.0f ns/response\n\n", (best[b, "100k"] - best[b, "10k"]) / 90000
	}
}' "$tmp/bench.txt"

echo "Peak resident memory of one 100,000-response report (whole test process, data generation included):"
/usr/bin/time -v "$tmp/reports.test" -test.run '^$' -test.bench '^BenchmarkReport$/^100k$' -test.benchtime 1x 2>&1 >/dev/null |
	awk -F': ' '/Maximum resident set size/ { printf "  %.1f MB\n", $2 / 1024 }'
