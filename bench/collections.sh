#!/usr/bin/env bash
# OMM through `caom2pipe run` (release build): every OMM conformance header, repeated to N
# entries under new observation ids, in two forms:
#
#   mapping     the header dumps themselves, task_types [scrape]: naming, blueprint, OMM's
#               update and clean-up visitors, checksums, the record written
#   products    FITS files made from the same headers with SIZE × SIZE generated sky pixels
#               (WCS scaled to match), task_types [scrape, modify]: the above plus the file's
#               size and md5, the JPEG preview and thumbnail, the footprint from the pixels
#               into the chunk bounds, and plane metadata computed
#
# parallel_count 2 on (at most) 2 cores (`taskset -c 0,1`); wall time, entries per second,
# CPU seconds per entry and the run's peak resident memory (getrusage of the child).
#
#   bench/collections.sh [N] [SIZE]      default: 10000 2048 (the CPAPIR detector's size)
#   bench/collections.sh --python        also time caom2utils 1.7.4 per header (warm, in one
#                                        process) on the fits2caom2 conformance cases, in the
#                                        venv of bench/compare_caom2utils.sh
#
# Inputs are generated once under $BENCH_DIR (default ${TMPDIR:-/tmp}/caom2pipe-bench); each
# measurement starts from a clean working directory, removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
python=false
args=()
for a in "$@"; do
  if [ "$a" = --python ]; then python=true; else args+=("$a"); fi
done
n=${args[0]:-10000}
size=${args[1]:-2048}
conf=${CAOM2_CONFORMANCE_DIR:-../shared/conformance}
conf=$(cd "$conf" && pwd)
cargo build -q --release -j2 -p caom2pipe
cargo build -q --release -j2 -p collection-omm --example bench_inputs
root=${BENCH_DIR:-${TMPDIR:-/tmp}/caom2pipe-bench}
bin=$PWD/target/release/caom2pipe
pin=()
command -v taskset > /dev/null && pin=(taskset -c 0,1)

printf '%-9s %9s %6s %10s %12s %12s %12s\n' run entries pixels "wall s" "entries/s" "CPU ms/entry" "peak RSS MB"
for mode in mapping products; do
  s=$size
  tasks='[scrape, modify]'
  ext=.fits
  if [ $mode = mapping ]; then s=0; tasks='[scrape]'; ext=.header; fi
  d=$root/omm-$n-$s
  if [ ! -f "$d/.complete" ]; then
    rm -rf "$d" && mkdir -p "$d"
    target/release/examples/bench_inputs "$conf/collections/omm" "$d" "$n" "$s" > /dev/null
    touch "$d/.complete"
  fi
  w=$(mktemp -d "$d/run.XXXXXX")
  ln -s "$d/data" "$w/data"
  cat > "$w/config.yml" <<YML
collection: OMM
task_types: $tasks
use_local_files: true
data_sources: [data]
recurse_data_sources: true
data_source_extensions: ['$ext']
log_file_directory: logs
logging_level: WARNING
parallel_count: 2
YML
  python3 - "$mode" "$n" "$s" "${pin[@]}" "$bin" run --config "$w/config.yml" <<'PY'
import resource, subprocess, sys, time
mode, n, size, *cmd = sys.argv[1:]
n = int(n)
t = time.monotonic()
r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
if r.returncode != 0 or f"{n} succeeded" not in r.stdout.decode():
    sys.exit(f"caom2pipe run failed ({r.returncode}): {r.stdout.decode()[-500:]} {r.stderr.decode()[-2000:]}")
cpu = (ru.ru_utime + ru.ru_stime) / n * 1000
pixels = "-" if size == "0" else f"{size}²"
print(f"{mode:<9} {n:9d} {pixels:>6} {wall:10.1f} {n / wall:12.1f} {cpu:12.2f} {ru.ru_maxrss / 1024:12.1f}")
PY
  rm -rf "$w"
done

if $python; then
  . bench/lib.sh
  venv=$(caom2utils_venv)
  echo
  echo "caom2utils 1.7.4, one process, per header (mean of 10 after a first; fits2caom2 conformance cases):"
  for c in "$conf"/fits2caom2/*/*/; do
    printf '  %-36s ' "$(basename "$(dirname "$c")")/$(basename "$c")"
    "$venv/bin/python" bench/caom2utils_driver.py warm "$c" 10 2>/dev/null | tail -1
  done
fi
