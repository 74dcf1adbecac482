# Shared by the bench scripts (sourced, not run).

# Prints the path of a venv holding caom2utils 1.7.4 (with h5py and PyYAML), made from PyPI
# on first use: ${CAOM2UTILS_BENCH_VENV:-${TMPDIR:-/tmp}/caom2utils-bench-venv}.
caom2utils_venv() {
  local venv=${CAOM2UTILS_BENCH_VENV:-${TMPDIR:-/tmp}/caom2utils-bench-venv}
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import caom2utils, h5py, yaml' 2>/dev/null; then
    python3 -m venv "$venv" >&2 || return 1
    "$venv/bin/pip" install -q 'caom2utils==1.7.4' h5py PyYAML >&2 || return 1
  fi
  echo "$venv"
}
