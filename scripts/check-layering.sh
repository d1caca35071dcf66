#!/usr/bin/env bash
# Enforces DESIGN.md's module graph: a module may include only the modules
# listed for it (dependencies point downward). Prints each violation.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [base]=""
  [gguf]="base"
  [tokenizer]="base gguf"
  [schema]="base"
  [grammar]="base schema tokenizer"
  [engine]="base gguf tokenizer grammar"
  [api]="base schema"
  [net]="base"
  [providers]="base engine net api schema tokenizer grammar gguf"
  [server]="base gguf tokenizer schema grammar engine api net providers"
  [cli]="base gguf tokenizer schema grammar engine api net providers server"
)

status=0
for dir in src/*/; do
  module=$(basename "$dir")
  if [[ -z "${allowed[$module]+set}" ]]; then
    echo "layering: src/$module is not a module in DESIGN.md's table"
    status=1
    continue
  fi
  while IFS=: read -r file line include; do
    dep=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$include")
    [[ "$dep" == "$module" ]] && continue
    if [[ " ${allowed[$module]} " != *" $dep "* ]]; then
      echo "layering: $file:$line: module '$module' must not include '$dep'"
      status=1
    fi
  done < <(grep -rnE '^#include "[a-z_]+/' "$dir" || true)
done
[[ $status -eq 0 ]] && echo "layering: ok"
exit $status
