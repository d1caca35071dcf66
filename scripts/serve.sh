#!/usr/bin/env bash
# Installs what is missing, builds the optimized gateway and starts it.
# Arguments are passed to `sluice serve` (see `sluice serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sluice -j"$(nproc)"
exec build/release/src/cli/sluice serve "$@"
