#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan + coverage) into
# build/fuzz and runs it, single process, for SECONDS (default 600).
#
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
#   MERGE=1 fuzz/run.sh TARGET     # only minimize fuzz/corpus/TARGET plus
#                                  # build/fuzz/corpus/TARGET (-merge=1)
#
# New inputs go to build/fuzz/corpus/TARGET (the committed seeds in
# fuzz/corpus/TARGET are read, never written); crashes to
# build/fuzz/artifacts/TARGET/. With MERGE=1 the committed corpus is replaced
# by a minimal subset of seeds + new inputs that keeps the same edge coverage.
# Targets: request_json sse gguf json_schema tokenizer_json regex.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]}
seconds=${2:-600}
shift $(($# >= 2 ? 2 : 1))

# The source tree to configure; overridable so the targets can be tried
# from a scratch root before the top-level CMakeLists.txt adds fuzz/.
src=${SLUICE_FUZZ_SOURCE:-$root}
build=$root/build/fuzz
cached=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
if [[ -n $cached && $cached != "$src" ]]; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"  # configured from another tree
fi
if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_FUZZ=ON -DSLUICE_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target "${target}_fuzzer"
bin=$build/fuzz/${target}_fuzzer

seeds=$root/fuzz/corpus/$target
work=$build/corpus/$target
artifacts=$build/artifacts/$target
mkdir -p "$work" "$artifacts"
dict=()
[[ -f $root/fuzz/dict/$target.dict ]] && dict=(-dict="$root/fuzz/dict/$target.dict")

common=(-max_len=65536 -rss_limit_mb=2048 -timeout=10 "${dict[@]}")
if [[ ${MERGE:-0} == 1 ]]; then
  merged=$(mktemp -d)
  # Edges only (-use_counters=0), not hit-count buckets: a few hundred files
  # instead of thousands, with the same edge coverage.
  "$bin" -merge=1 -use_counters=0 "${common[@]}" "$merged" "$seeds" "$work"
  rm -rf "$seeds" && mkdir -p "$seeds" && cp "$merged"/* "$seeds"/ && rm -rf "$merged"
  echo "corpus $target: $(ls "$seeds" | wc -l) files, $(du -sh --apparent-size "$seeds" | cut -f1)"
  exit 0
fi
# One process, one worker: the machine is shared.
exec "$bin" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$@" "$work" "$seeds"
