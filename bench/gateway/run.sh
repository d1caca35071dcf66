#!/usr/bin/env bash
# Gateway benchmark: wrk against sluice and against nginx (plain proxy_pass),
# both in front of the same fast mock upstream (a second nginx that answers
# POST /v1/chat/completions with a fixed OpenAI SSE stream), interleaved in
# one run. Also wrk against the mock directly, so that
#   added latency = proxy latency - direct latency   (at concurrency 1).
#
# Usage: bench/gateway/run.sh            (from anywhere)
# Environment (all optional):
#   SLUICE_BIN  sluice binary            (default: build/release/src/cli/sluice)
#   THREADS     sluice I/O threads = nginx proxy worker_processes (default 1)
#   CONNS       wrk connections of the throughput runs (default 32)
#   DURATION    seconds per wrk run       (default 4)
#   ROUNDS      interleaved rounds; the table shows medians (default 3)
#   PIN         1: wrk and the mock on CPU 1, the proxy under test on CPU 0
#               (taskset; only with THREADS=1); 0: no pinning (default 1)
#   STREAM      1: also run the streaming variant ("stream":true) (default 1)
#   RAW         file to copy the raw per-run results into (optional)
# Only loopback addresses are used; every process it starts is stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SLUICE_BIN="${SLUICE_BIN:-$ROOT/build/release/src/cli/sluice}"
THREADS="${THREADS:-1}"
CONNS="${CONNS:-32}"
DURATION="${DURATION:-4}"
ROUNDS="${ROUNDS:-3}"
PIN="${PIN:-1}"
STREAM="${STREAM:-1}"
NGINX="${NGINX:-/usr/sbin/nginx}"
WRK="${WRK:-/usr/bin/wrk}"

for tool in "$SLUICE_BIN" "$NGINX" "$WRK"; do
  [[ -x "$tool" ]] || { echo "run.sh: $tool not found or not executable" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "run.sh: curl is required" >&2; exit 2; }
if [[ "$PIN" == 1 && "$THREADS" != 1 ]]; then PIN=0; fi
if [[ "$PIN" == 1 && "$(nproc)" -lt 2 ]]; then PIN=0; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback TCP port not handed out before in this run. It is drawn
# below the kernel's ephemeral range (usually 32768-60999): every proxied
# request opens a new upstream connection, and the TIME-WAIT sockets those
# leave behind would otherwise make bind() fail now and then.
USED_PORTS=" "
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local p
  while true; do
    p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    [[ "$USED_PORTS" == *" $p "* ]] && continue
    if [[ -z "$(ss -Htan "sport = :$p")" ]]; then
      USED_PORTS+="$p "
      echo "$p"
      return
    fi
  done
}
MOCK_PORT=$(free_port)
NGINX_PORT=$(free_port)
SLUICE_PORT=$(free_port)

if [[ "$PIN" == 1 ]]; then
  PIN_SERVER=(taskset -c 0)
  PIN_CLIENT=(taskset -c 1)
else
  PIN_SERVER=()
  PIN_CLIENT=()
fi

# --- the mock upstream: fixed OpenAI SSE answer --------------------------------
CHUNK='data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n'
SSE="data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
SSE+="$CHUNK$CHUNK$CHUNK"
SSE+='data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
SSE+='data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}\n\n'
SSE+='data: [DONE]\n\n'

nginx_common() {  # $1 = prefix dir
  cat <<EOF
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
EOF
}
nginx_http_common() {  # $1 = prefix dir
  cat <<EOF
  access_log off;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  keepalive_requests 1000000;
EOF
}

mkdir -p "$WORK/mock" "$WORK/proxy" "$WORK/sluice"
{
  echo "worker_processes 1;"
  nginx_common "$WORK/mock"
  echo "http {"
  nginx_http_common "$WORK/mock"
  cat <<EOF
  server {
    listen 127.0.0.1:$MOCK_PORT;
    location = /v1/chat/completions {
      default_type text/event-stream;
      return 200 '$SSE';
    }
  }
}
EOF
} >"$WORK/mock/nginx.conf"

# --- nginx: plain proxy_pass to the mock ---------------------------------------
{
  echo "worker_processes $THREADS;"
  nginx_common "$WORK/proxy"
  echo "http {"
  nginx_http_common "$WORK/proxy"
  cat <<EOF
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://127.0.0.1:$MOCK_PORT;
    }
  }
}
EOF
} >"$WORK/proxy/nginx.conf"

# --- sluice: an openai provider pointing at the mock ---------------------------
cat >"$WORK/sluice/sluice.toml" <<EOF
[server]
default_model = "m"
threads = $THREADS

[providers.mock]
kind = "openai"
base_url = "http://127.0.0.1:$MOCK_PORT"

[models.m]
provider = "mock"
EOF

"${PIN_CLIENT[@]}" "$NGINX" -p "$WORK/mock" -c "$WORK/mock/nginx.conf" -g 'daemon off;' \
  >"$WORK/mock/stdout.log" 2>&1 &
PIDS+=($!)
"${PIN_SERVER[@]}" "$NGINX" -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -g 'daemon off;' \
  >"$WORK/proxy/stdout.log" 2>&1 &
PIDS+=($!)
SLUICE_LOG_LEVEL=warn "${PIN_SERVER[@]}" "$SLUICE_BIN" serve --config "$WORK/sluice/sluice.toml" \
  --listen "127.0.0.1:$SLUICE_PORT" >"$WORK/sluice/stdout.log" 2>&1 &
PIDS+=($!)

REQ='{"model":"m","messages":[{"role":"user","content":"hi"}]}'
REQ_STREAM='{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}'
post() {  # $1 = port, $2 = body
  curl -sS --max-time 5 -H 'Content-Type: application/json' -d "$2" \
    "http://127.0.0.1:$1/v1/chat/completions"
}
wait_ready() {  # $1 = name, $2 = port, $3 = log
  local i
  for i in $(seq 1 100); do
    if post "$2" "$REQ" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "run.sh: $1 did not answer on 127.0.0.1:$2; its log:" >&2
  cat "$3" >&2
  exit 1
}
wait_ready mock "$MOCK_PORT" "$WORK/mock/error.log"
wait_ready nginx "$NGINX_PORT" "$WORK/proxy/error.log"
wait_ready sluice "$SLUICE_PORT" "$WORK/sluice/stdout.log"

# Check that each target answers what it should before measuring anything.
check() {  # $1 = name, $2 = port, $3 = body, $4 = expected substring
  local out
  out="$(post "$2" "$3")"
  if [[ "$out" != *"$4"* ]]; then
    echo "run.sh: unexpected answer from $1 (wanted '$4'):" >&2
    echo "$out" >&2
    exit 1
  fi
}
check mock "$MOCK_PORT" "$REQ" 'data: [DONE]'
check nginx "$NGINX_PORT" "$REQ" 'data: [DONE]'
check sluice "$SLUICE_PORT" "$REQ" '"content":"hihihi"'
check sluice-stream "$SLUICE_PORT" "$REQ_STREAM" 'data: [DONE]'

# --- the runs -------------------------------------------------------------------
RAWFILE="$WORK/raw.tsv"
: >"$RAWFILE"
port_of() {
  case "$1" in direct) echo "$MOCK_PORT" ;; nginx) echo "$NGINX_PORT" ;; sluice) echo "$SLUICE_PORT" ;; esac
}
bench() {  # $1 = target, $2 = variant (json|sse), $3 = connections, $4 = round, [$5 = seconds]
  local port out line stream=0 secs="${5:-$DURATION}"
  port="$(port_of "$1")"
  [[ "$2" == sse ]] && stream=1
  out="$(BENCH_STREAM=$stream "${PIN_CLIENT[@]}" "$WRK" -t1 -c"$3" -d"${secs}s" --timeout 5s \
    -s "$HERE/post.lua" "http://127.0.0.1:$port/v1/chat/completions")"
  line="$(grep '^RESULT ' <<<"$out" || true)"
  if [[ -z "$line" ]]; then
    echo "run.sh: wrk gave no result for $1 $2 c=$3:" >&2
    echo "$out" >&2
    exit 1
  fi
  [[ "$4" == warmup ]] && return 0
  # target variant conns round rps p50 p90 p99 mean max requests errors
  awk -v t="$1" -v v="$2" -v c="$3" -v r="$4" '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t, v, c, r,
             f["rps"], f["p50"], f["p90"], f["p99"], f["mean"], f["max"], f["requests"], f["errors"]
    }' <<<"$line" >>"$RAWFILE"
  printf '  %-6s %-4s c=%-3s round %s: %s\n' "$1" "$2" "$3" "$4" "${line#RESULT }" >&2
}

VARIANTS=(json)
[[ "$STREAM" == 1 ]] && VARIANTS+=(sse)

echo "sluice gateway benchmark: $SLUICE_BIN" >&2
echo "  threads=$THREADS conns=1,$CONNS duration=${DURATION}s rounds=$ROUNDS pin=$PIN" \
  "ports mock=$MOCK_PORT nginx=$NGINX_PORT sluice=$SLUICE_PORT" >&2
echo "warm-up ..." >&2
for t in direct nginx sluice; do bench "$t" json "$CONNS" warmup 1; done

for round in $(seq 1 "$ROUNDS"); do
  # Alternate who goes first, so drift on a noisy machine hits both alike.
  if (( round % 2 )); then pair=(nginx sluice); else pair=(sluice nginx); fi
  for c in 1 "$CONNS"; do
    bench direct json "$c" "$round"
    for v in "${VARIANTS[@]}"; do
      for t in "${pair[@]}"; do bench "$t" "$v" "$c" "$round"; done
    done
  done
done

[[ -n "${RAW:-}" ]] && cp "$RAWFILE" "$RAW"

# --- the summary: medians over rounds -------------------------------------------
awk -F'\t' -v conns="$CONNS" -v threads="$THREADS" -v rounds="$ROUNDS" -v pin="$PIN" '
  function median(key,   n, i, j, tmp, a) {
    n = split(vals[key], a, " ")
    for (i = 2; i <= n; i++) { tmp = a[i]; j = i - 1
      while (j >= 1 && a[j] + 0 > tmp + 0) { a[j + 1] = a[j]; j-- } a[j + 1] = tmp }
    if (n == 0) return ""
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function add(key, v) { vals[key] = (key in vals) ? vals[key] " " v : v }
  {
    k = $1 SUBSEP $2 SUBSEP $3
    add(k SUBSEP "rps", $5); add(k SUBSEP "p50", $6); add(k SUBSEP "p90", $7)
    add(k SUBSEP "p99", $8); errs[k] += $12
    if (!(k in seen)) { seen[k] = 1; order[++n] = k }
  }
  END {
    printf "\nsluice vs nginx proxy_pass, same mock upstream; medians of %d rounds;", rounds
    printf " threads/workers=%d; pin=%d\n", threads, pin
    printf "latencies in microseconds (wrk, 1 thread)\n\n"
    printf "| target | body | conns | req/s | p50 | p90 | p99 | errors |\n"
    printf "|---|---|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= n; i++) {
      split(order[i], p, SUBSEP)
      printf "| %s | %s | %s | %.0f | %d | %d | %d | %d |\n", p[1], p[2], p[3],
        median(order[i] SUBSEP "rps"), median(order[i] SUBSEP "p50"),
        median(order[i] SUBSEP "p90"), median(order[i] SUBSEP "p99"), errs[order[i]]
    }
    printf "\n| body | conns | throughput sluice/nginx | added p50 nginx | added p50 sluice |"
    printf " added p99 nginx | added p99 sluice | sluice-nginx p50 | sluice-nginx p99 |\n"
    printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    dk = "direct" SUBSEP "json" SUBSEP "1"
    d50 = median(dk SUBSEP "p50"); d99 = median(dk SUBSEP "p99")
    nv = split("json sse", vs, " ")
    for (vi = 1; vi <= nv; vi++) {
      v = vs[vi]
      nk = "nginx" SUBSEP v; sk = "sluice" SUBSEP v
      if (!((nk SUBSEP "1") in seen)) continue
      for (ci = 1; ci <= 2; ci++) {
        c = (ci == 1) ? 1 : conns
        ratio = median(sk SUBSEP c SUBSEP "rps") / median(nk SUBSEP c SUBSEP "rps")
        if (c == 1) {
          n50 = median(nk SUBSEP c SUBSEP "p50"); s50 = median(sk SUBSEP c SUBSEP "p50")
          n99 = median(nk SUBSEP c SUBSEP "p99"); s99 = median(sk SUBSEP c SUBSEP "p99")
          printf "| %s | %s | %.2f | %d | %d | %d | %d | %d | %d |\n", v, c, ratio,
            n50 - d50, s50 - d50, n99 - d99, s99 - d99, s50 - n50, s99 - n99
        } else {
          printf "| %s | %s | %.2f | | | | | | |\n", v, c, ratio
        }
      }
    }
    printf "\nadded = proxy latency - direct-to-mock latency at the same percentile, c=1.\n"
    printf "targets: added p99 <= 100 us at c=1; throughput >= 0.8x nginx.\n"
  }' "$RAWFILE"

if awk -F'\t' '$12 > 0 { bad = 1 } END { exit !bad }' "$RAWFILE"; then
  echo "run.sh: some runs had errors (see the errors column)" >&2
  exit 1
fi
