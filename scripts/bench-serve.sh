#!/bin/sh
# Measures how fast lvm-mail serve records responses: 16 clients posting at
# once over loopback HTTP into a real SQLite file, against a floor measured
# in the same run (a bare net/http handler doing one SQLite INSERT per
# request). Prints the median of each and their ratio.
#
#   scripts/bench-serve.sh            # 5 runs of 4000 responses each
#   COUNT=10 N=8000 scripts/bench-serve.sh
set -eu
cd "$(dirname "$0")/.."
count=${COUNT:-5}
n=${N:-4000}
out=$(go test -run '^$' -bench '^BenchmarkRecordResponses$' -benchtime "${n}x" -count "$count" ./survey/)
echo "$out" | grep '^Benchmark'
echo "$out" | awk '
	function median(a, k,   i, j, t) {
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return k % 2 ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
	}
	/^BenchmarkRecordResponses\/Floor/  { for (i = 1; i < NF; i++) if ($(i+1) == "responses/s") f[++nf] = $i }
	/^BenchmarkRecordResponses\/Survey/ { for (i = 1; i < NF; i++) if ($(i+1) == "responses/s") s[++ns] = $i }
	END {
		if (nf == 0 || ns == 0) { print "bench-serve: no results" > "/dev/stderr"; exit 1 }
		fm = median(f, nf); sm = median(s, ns)
		printf "floor  (net/http + one INSERT): %8.0f responses/s (median of %d)\n", fm, nf
		printf "survey (lvm-mail serve):        %8.0f responses/s (median of %d)\n", sm, ns
		printf "ratio: %.0f%% of the floor (target 25%%, goal 100%%)\n", 100 * sm / fm
	}'
