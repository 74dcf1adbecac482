#!/usr/bin/env bash
# Runs tools/astropy_oracle.py (plane polygons and energy bounds against astropy) in a venv
# with astropy from PyPI, made once under the system temp dir and reused.
#   tools/astropy_oracle.sh CAOM2PIPE CONFORMANCE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${TMPDIR:-/tmp}/caom2pipe-astropy-venv
if ! "$venv/bin/python" -c 'import astropy, numpy' 2>/dev/null; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian keeps venv's pip bootstrap in a separate package
    rm -rf "$venv"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    echo "installing python3-venv"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'astropy>=6' numpy
fi
exec "$venv/bin/python" "$here/astropy_oracle.py" "$@"
