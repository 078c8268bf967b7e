#!/bin/sh
# Runs every benchmark of lvm-mail, each against a baseline measured in the
# same run, and prints the ratios:
#   sending    lvm-mail send path vs a bare go-mail client     (target >= 0.5)
#   recording  survey handler vs net/http + one SQLite INSERT  (target >= 0.25)
#   report     time per response at 100k vs 10k responses      (about 1 = linear)
#   memory     peak RSS of import, create, send and report at 20,000 and
#              200,000 staff                       (goal <= 80 MB, growth <= 1.5x)
set -eu
cd "$(dirname "$0")"
echo "== sending";   ./bench-send.sh "$@"
echo; echo "== recording responses"; ./bench-serve.sh
echo; echo "== report";  ./bench-report.sh
echo; echo "== memory";  ./bench-memory.sh
