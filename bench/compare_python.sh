#!/usr/bin/env bash
# Times our CAOM XML read/write/checksum (criterion) and the Python caom2 package (PyPI, in a
# venv) on the same file, and prints both with the speed-up.
#
#   bench/compare_python.sh [FILE]
#
# FILE defaults to $CAOM2_CONFORMANCE_DIR/xml/sample-composite-caom24.xml
# (CAOM2_CONFORMANCE_DIR defaults to ../shared/conformance).
set -euo pipefail
cd "$(dirname "$0")/.."
conf=${CAOM2_CONFORMANCE_DIR:-../shared/conformance}
file=${1:-$conf/xml/sample-composite-caom24.xml}
venv=${CAOM2_BENCH_VENV:-${TMPDIR:-/tmp}/caom2-bench-venv}

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'caom2>=2.6.6,<2.7'
fi

echo "== Python caom2 $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("caom2"))')"
"$venv/bin/python" bench/python_caom2_xml.py "$file" 5 | tee /tmp/caom2-bench-python.txt

echo "== Rust caom2 (criterion)"
cargo bench -q -p caom2 --bench xml -- --noplot > /tmp/caom2-bench-rust.txt 2>&1 || { cat /tmp/caom2-bench-rust.txt; exit 1; }
size=$(stat -c %s "$file")
printf '%-11s %12s %12s %12s %9s\n' op "python ms" "rust ms" "rust MB/s" speed-up
for op in read write checksum read+write; do
  py=$(awk -F'\t' -v op="$op" '$1==op {sub(/ ms/,"",$2); print $2}' /tmp/caom2-bench-python.txt)
  est="target/criterion/caom2-xml/$op/new/estimates.json"
  rs=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate']/1e6)" "$est")
  python3 - "$op" "$py" "$rs" "$size" <<'PY'
import sys
op, py, rs, size = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"{op:<11} {py:12.3f} {rs:12.4f} {size / (rs / 1e3) / 1e6:12.1f} {py / rs:8.1f}x")
PY
done
