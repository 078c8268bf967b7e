#!/bin/sh
# Runs every benchmark of lvm-mail, each against a baseline measured in the
# same run, and prints the ratios:
#   sending    lvm-mail send path vs a bare go-mail client     (target >= 0.5)
#   recording  survey handler vs net/http + one SQLite INSERT  (target >= 0.25)
#   report     time per response at 100k vs 10k responses      (about 1 = linear)
set -eu
cd "$(dirname "$0")"
echo "== sending";   ./bench-send.sh "$@"
echo; echo "== recording responses"; ./bench-serve.sh
echo; echo "== report";  ./bench-report.sh
