#!/bin/sh
# Rebuilds the golden models and logits: builds `sluice` (for `sluice model
# random`) and runs the Python reference (tools/reference/make_golden.py).
# Needs /usr/bin/python3 with numpy (scripts/install-torch.sh installs it).
#   tests/engine/golden/regenerate.sh [BUILD_DIR]     (default build/golden)
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build/golden}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" sluice
/usr/bin/python3 "$root/tools/reference/test_reference.py" >/dev/null
/usr/bin/python3 "$root/tools/reference/make_golden.py" --sluice "$build/src/cli/sluice" \
  --out "$root/tests/engine/golden"
