#!/usr/bin/env bash
# Creates (once per machine) the Python virtual environment with Apache Airflow that the
# airflow-bridge tests run generated DAGs in, and prints its directory on stdout.
#
#   bash apps/airflow-bridge/airflow/ensure-venv.sh 3      # Airflow 3, what generated DAGs target
#   bash apps/airflow-bridge/airflow/ensure-venv.sh 2.10   # Airflow 2.10, which they must still run on
#
# Why a cache outside the clone: installing Airflow takes minutes, and CI starts from a
# fresh clone. The directory is keyed by a hash of the pinned requirements, the shipped
# constraints and the Python version, so a second clone reuses it and any change to the
# pins builds a new one. ${SLUICE_CACHE_DIR:-/var/cache/sluice} when writable, else
# <repo>/.cache. A failure names the step and exits non-zero: the tests never skip.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
series="${1:-3}"
requirements="$here/requirements-$series.txt"
constraints="$here/constraints-$series.txt"

fail() {
  echo "airflow venv (Airflow $series): step '$1' failed. $2" >&2
  exit 1
}

[[ -f "$requirements" && -f "$constraints" ]] ||
  fail "find pins" "No $requirements / $constraints; the series is 3 or 2.10."

python="${SLUICE_PYTHON:-}"
if [[ -z "$python" ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then
      python="$candidate"
      break
    fi
  done
fi
[[ -n "$python" ]] || fail "find python" "Install Python 3.11 (the constraints are resolved for it) or set SLUICE_PYTHON."
python_version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" ||
  fail "find python" "'$python' does not run."
[[ "$python_version" == "3.11" ]] ||
  echo "airflow venv: warning: constraints were resolved on Python 3.11, '$python' is $python_version" >&2

# Comments are left out of the key: editing one must not rebuild a venv.
key="$(cat "$requirements" "$constraints" <(echo "python $python_version") | grep -v '^#' | sha256sum | cut -c1-16)"

cache_root="${SLUICE_CACHE_DIR:-/var/cache/sluice}"
if ! mkdir -p "$cache_root" 2>/dev/null || [[ ! -w "$cache_root" ]]; then
  cache_root="$repo/.cache"
  mkdir -p "$cache_root" || fail "create cache directory" "Neither \$SLUICE_CACHE_DIR nor $cache_root is writable."
fi
venv="$cache_root/airflow-$series-$key"

# Concurrent test runs (two clones, two vitest workers) build the venv once: the first
# holds the lock, the others wait and then find it complete.
exec 9>"$venv.lock"
flock 9
if [[ -f "$venv/.complete" ]]; then
  echo "$venv"
  exit 0
fi

rm -rf "$venv"
log="$cache_root/airflow-$series-$key.install.log"
echo "airflow venv: installing Airflow $series into $venv (a few minutes, once per machine; log: $log)" >&2
"$python" -m venv "$venv" >"$log" 2>&1 || {
  rm -rf "$venv"
  fail "python -m venv" "See $log (on Debian: apt-get install python3-venv)."
}
"$venv/bin/pip" install --disable-pip-version-check --no-input --retries 2 --timeout 60 \
  -r "$requirements" -c "$constraints" >>"$log" 2>&1 || {
  tail -n 5 "$log" >&2
  rm -rf "$venv"
  fail "pip install -r $(basename "$requirements") -c $(basename "$constraints")" \
    "Is PyPI reachable (pip's index settings)? Full log: $log"
}
"$venv/bin/airflow" version >>"$log" 2>&1 || {
  rm -rf "$venv"
  fail "airflow version" "Airflow installed but does not start; see $log."
}
echo "$key" >"$venv/.complete"
echo "$venv"
