#!/usr/bin/env bash
# Installs every Debian 12 package sluice needs to build, test and benchmark.
# Idempotent: packages already present are skipped by apt. Run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libutf8proc-dev libsqlite3-dev libhiredis-dev redis-server libhwy-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  json-schema-test-suite
  nodejs npm
  wrk nginx-light curl python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# node/npm may come from outside Debian on some machines; a working node >= 18 is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: need root to install packages" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
