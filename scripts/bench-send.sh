#!/bin/sh
# Runs the send-path benchmark of lvm-mail and a bare go-mail client side
# by side, and prints the throughput ratio.
#
#   scripts/bench-send.sh [ROUNDS] [BENCHTIME]      defaults: 7 rounds of 20 campaigns
#
# Each operation is one campaign of 200 messages over 4 connections to an
# in-process SMTP server; see BenchmarkSend in mailer/bench_test.go. Each
# round runs the bare client and then lvm-mail, one right after the other,
# so that both see the same load on the machine; the ratio reported is the
# median of the rounds' ratios. The target is at least 0.5 (goal 0.9).
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-7}
benchtime=${2:-20x}
bin=$(mktemp -d)/mailer.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./mailer
i=0
results=""
while [ "$i" -lt "$rounds" ]; do
	out=$(cd mailer && "$bin" -test.run '^$' -test.bench '^BenchmarkSend$' -test.benchtime "$benchtime" -test.benchmem)
	printf '%s\n' "$out" | grep '^BenchmarkSend'
	results="$results$out
"
	i=$((i + 1))
done
printf '%s' "$results" | awk '
	/^BenchmarkSend\/bare-go-mail/ { bare[nb++] = $3 }
	/^BenchmarkSend\/lvm-mail/     { ours[no++] = $3; ratio[nr++] = bare[nb - 1] / $3 }
	function median(a, n,   i, j, t) {
		for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
	}
	END {
		if (nb == 0 || no == 0) { print "no benchmark results" > "/dev/stderr"; exit 1 }
		printf "\nmedian ns/op per campaign of 200 messages: bare go-mail %.0f, lvm-mail %.0f\n", median(bare, nb), median(ours, no)
		printf "lvm-mail throughput = %.2f x the bare client (median of %d rounds; target >= 0.50, goal 0.90)\n", median(ratio, nr), nr
	}'
