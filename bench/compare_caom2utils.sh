#!/usr/bin/env bash
# Times caom2pipe fits2caom2 against CADC's caom2utils 1.7.4 (fits2caom2 / caom2gen, from PyPI
# in a venv) on every fits2caom2 conformance case and the TAOS HDF5 case, and prints a table:
#
#   Python cold      fresh processes per file (median and best of --runs): interpreter start,
#                    imports, one conversion, XML write, with the offline stand-ins of the
#                    reference test harness (storage "info" answered from case.yml, no network)
#   caom2pipe cold   fresh `caom2pipe fits2caom2` processes, the command check.py runs (median
#                    and best of max(--runs, 10))
#   Python warm      repeated conversions in one process after a first one (mean and best of
#                    --warm): argument parsing, blueprint, reading, mapping, XML file
#   caom2pipe warm   criterion, in-process: reading, mapping, checksums, XML to memory, with the
#                    blueprints loaded once (mean, and the fastest sample's mean)
#
#   bench/compare_caom2utils.sh [--runs N] [--warm N]
#
# The venv lives in ${TMPDIR:-/tmp}/caom2utils-bench-venv (CAOM2UTILS_BENCH_VENV overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
conf=${CAOM2_CONFORMANCE_DIR:-../shared/conformance}
conf=$(cd "$conf" && pwd)
# the criterion bench finds the cases through testkit, which reads this
export CAOM2_CONFORMANCE_DIR="$conf"
. bench/lib.sh
venv=$(caom2utils_venv)
echo "== caom2utils $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("caom2utils"))')" >&2

cargo build -q --release -j2 -p caom2pipe
cargo bench -q -j2 -p fits2caom2 --bench mapping -- --noplot 'fits2caom2/' > target/fits2caom2-bench.txt 2>&1 \
  || { cat target/fits2caom2-bench.txt; exit 1; }

"$venv/bin/python" bench/caom2utils_driver.py compare \
  --caom2pipe "$PWD/target/release/caom2pipe" --criterion "$PWD/target/criterion" "$@" \
  "$conf/fits2caom2" "$conf/hdf5/taos_20220201T200117"
