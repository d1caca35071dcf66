#!/usr/bin/env bash
# Installs PyTorch from Debian for the tools that need it: the independent
# reference forward pass (tools/reference, regenerates golden logits) and the
# demo-model trainer (tools/demo_model). CI and the gateway never need it.
# Use /usr/bin/python3 (Debian's), not a python3 from another installation.
set -euo pipefail
packages=(python3-torch python3-numpy libopenblas0-pthread)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
