#!/usr/bin/env bash
# Builds the shared configured Sage checkout once (called under `flock` by configured-checkout.ts):
#   $1 tarball   $2 cache dir   $3 python (>= 3.12)   $4 "copy" if $3 lacks setuptools and its prefix is copied
# Result: $2/sage (extracted, ./bootstrap, ./configure), $2/python (the Python configure accepted, when
# copied), $2/relocate.txt (files holding the absolute checkout path), $2/timings.txt, $2/READY (last).
set -euo pipefail
tarball=$1 cache=$2 python=$3 mode=${4:-}
[ -f "$cache/READY" ] && exit 0
rm -rf "$cache/sage" "$cache/python" "$cache/relocate.txt" "$cache/timings.txt"
mkdir -p "$cache"

if [ "$mode" = copy ]; then
  # A private copy of the interpreter's prefix with Debian's setuptools wheel installed offline: the
  # machine's Python stays untouched, and configure's `--system-site-packages` test venv sees setuptools.
  prefix=$("$python" -c 'import sys; print(sys.base_prefix)')
  cp -a --reflink=auto "$prefix" "$cache/python"
  wheel=$(ls /usr/share/python-wheels/setuptools-*.whl | head -1)
  [ -n "$wheel" ] || { echo "no setuptools wheel in /usr/share/python-wheels: apt-get install python3-setuptools-whl" >&2; exit 1; }
  "$cache/python/bin/$(basename "$python")" -m pip install -q --no-index --disable-pip-version-check --root-user-action=ignore "$wheel"
  python="$cache/python/bin/$(basename "$python")"
fi

mkdir "$cache/sage"
cd "$cache/sage"
tar -xJf "$tarball"
start=$(date +%s.%N)
./bootstrap >"$cache/bootstrap.log" 2>&1 || { tail -30 "$cache/bootstrap.log" >&2; exit 1; }
mid=$(date +%s.%N)
./configure --enable-build-as-root --with-python="$python" >"$cache/configure.log" 2>&1 || { tail -30 "$cache/configure.log" >&2; exit 1; }
end=$(date +%s.%N)
printf 'bootstrap %.1f s\nconfigure %.1f s\nload %s\n' "$(echo "$mid - $start" | bc)" "$(echo "$end - $mid" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$cache/timings.txt"
# configure and bootstrap write the absolute checkout path into a few text files; copies rewrite them.
grep -rlIF --exclude-dir=upstream "$cache/sage" . | sed 's|^\./||' >"$cache/relocate.txt" || true
touch "$cache/READY"
