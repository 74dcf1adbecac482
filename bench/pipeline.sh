#!/usr/bin/env bash
# `caom2pipe run` in scrape mode over N generated header dumps (OMM-like, 2 k × 2 k images,
# mapped with examples/demo/blueprints/omm.yml): wall time, entries per second and the peak
# resident memory of the run.
#
#   bench/pipeline.sh [N ...]          default: 10000 100000
#
# Inputs are generated once per N under $BENCH_DIR (default ${TMPDIR:-/tmp}/caom2pipe-bench)
# by `make_demo --headers N`; each measurement starts from a clean working directory.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -j2 -p caom2pipe
cargo build -q --release -j2 -p execute --example make_demo
root=${BENCH_DIR:-${TMPDIR:-/tmp}/caom2pipe-bench}
blueprint=$PWD/examples/demo/blueprints/omm.yml
bin=$PWD/target/release/caom2pipe
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000)

printf '%9s %10s %12s %12s\n' entries "wall s" "entries/s" "peak RSS MB"
for n in "${sizes[@]}"; do
  d=$root/$n
  if [ ! -f "$d/data/.complete" ]; then
    rm -rf "$d" && mkdir -p "$d/data"
    target/release/examples/make_demo --headers "$n" "$d/data" > /dev/null
    touch "$d/data/.complete"
  fi
  # a fresh working directory next to the inputs, removed after the measurement
  w=$(mktemp -d "$d/run.XXXXXX")
  ln -s "$d/data" "$w/data"
  cat > "$w/config.yml" <<YML
collection: BENCH
task_types: [scrape]
use_local_files: true
data_sources: [data]
recurse_data_sources: true
data_source_extensions: ['.header']
blueprint: $blueprint
log_file_directory: logs
logging_level: WARNING
parallel_count: 2
YML
  python3 - "$bin" "$w/config.yml" "$n" <<'PY'
import resource, subprocess, sys, time
bin, config, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.monotonic()
r = subprocess.run([bin, "run", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB
if r.returncode != 0:
    sys.exit(f"caom2pipe run failed ({r.returncode}): {r.stderr.decode()[-2000:]}")
print(f"{n:9d} {wall:10.2f} {n / wall:12.0f} {rss:12.1f}")
PY
  rm -rf "$w"
done
