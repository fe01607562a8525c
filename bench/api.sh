#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# API throughput: daxd (sim host, 2 threads) against bench_baseline_server answering the same
# bytes, for GET /healthz and GET /v1/namespaces: wrk over TCP loopback with TLS and the bearer
# token (daxd's --tcp; the baseline gets the same certificate, key and token) and bench_http_load
# over each one's unix socket (plain, no token). Also daxd's RSS idle and under load.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

D=${BENCH_API_SECONDS:-4} C=8 REPS=3
[ "$QUICK" = 1 ] && { D=2; REPS=1; }
dir=$BENCH_WORK/api
sim_fixture "$dir"
tcp_daxd=127.0.0.1:$(port) tcp_base=127.0.0.1:$(port)
# One self-signed P-256 certificate and one token (0600, >= 16 characters) for both servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -keyout "$dir/tls.key" -out "$dir/tls.crt" 2> /dev/null
(umask 077; openssl rand -hex 24 > "$dir/token")
TLS_ARGS=(--tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key" --token-file "$dir/token")
AUTH="Authorization: Bearer $(cat "$dir/token")"
trap 'stop_ready "${DAXD_PID:-}" "${DAXD_OUT:-/dev/null}"; stop_ready "${BASE_PID:-}" "${BASE_OUT:-/dev/null}"' EXIT
sim_args "$dir" --tcp "$tcp_daxd" "${TLS_ARGS[@]}" --threads 2
start_ready DAXD "$dir/daxd.log" "$DAXD" "${SIM_ARGS[@]}"
# Four namespaces, so that /v1/namespaces is a realistic list (about 2 KB).
for i in 0 1 2 3; do
  "$DAXADM" --socket "$dir/daxd.sock" create-namespace -r region$((i % 2)) -s 2G -m fsdax \
    -n bench$i > /dev/null 2> "$dir/create.err" || { cat "$dir/create.err"; exit 1; }
done
for p in healthz v1/namespaces; do
  f=$dir/$(basename "$p")
  "$BB/bench_http_load" --unix "$dir/daxd.sock" --path "/$p" --once --save "$f" > /dev/null
  routes+=(--route "/$p=$f.body:$(cat "$f.type")")
done
start_ready BASE "$dir/base.log" "$BB/bench_baseline_server" --tcp "$tcp_base" "${TLS_ARGS[@]}" \
  --unix "$dir/base.sock" --threads 2 "${routes[@]}"
sleep 1
daxd_idle=$(kb "$DAXD_PID" VmRSS) base_idle=$(kb "$BASE_PID" VmRSS)

# wrk_run URL -> "RPS P99_US"
wrk_run() {
  wrk -t1 -c"$C" -d"${D}s" --latency -H "$AUTH" "$1" | awk '
    /Non-2xx/ { print "bench: wrk got non-2xx answers from " url > "/dev/stderr" }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                  m = (u == "us") ? 1 : (u == "ms") ? 1000 : 1000000; p99 = v * m }
    END { printf "%.0f %.0f\n", rps, p99 }' url="$1"
}
# load_run unix|tcp ADDRESS PATH -> "RPS P99_US"
load_run() {
  "$BB/bench_http_load" --"$1" "$2" --path "$3" -c "$C" -d "$D" |
    sed -E 's/.*rps=([0-9]+) p50_us=[0-9]+ p99_us=([0-9]+).*/\1 \2/'
}
# RSS of daxd sampled in the middle of its first wrk run.
sample_rss() { sleep "$(awk -v d="$D" 'BEGIN { print d / 2 }')"; kb "$DAXD_PID" VmRSS > "$dir/rss-load"; }

declare -A rps p99
for rep in $(seq "$REPS"); do
  for p in /healthz /v1/namespaces; do
    for who in daxd base; do
      if [ $who = daxd ]; then t=$tcp_daxd s=$dir/daxd.sock; else t=$tcp_base s=$dir/base.sock; fi
      if [ "$rep$who$p" = "1daxd/v1/namespaces" ]; then sample_rss & sampler=$!; fi
      read -r r l < <(wrk_run "https://$t$p")
      rps[wrk$p$who]+="$r " p99[wrk$p$who]+="$l "
      read -r r l < <(load_run unix "$s" "$p")
      rps[unix$p$who]+="$r " p99[unix$p$who]+="$l "
    done
  done
done
wait "$sampler"

echo "== API: daxd (sim host, --threads 2) vs a minimal Beast server with the same bytes; $C connections, ${D}s x $REPS, medians"
printf '   %-28s %10s %10s %8s %10s %10s\n' "" "daxd req/s" "base req/s" "ratio" "daxd p99" "base p99"
for t in wrk unix; do
  for p in /healthz /v1/namespaces; do
    # shellcheck disable=SC2086  # lists of numbers
    dr=$(median ${rps[$t${p}daxd]}) br=$(median ${rps[$t${p}base]})
    # shellcheck disable=SC2086
    dl=$(median ${p99[$t${p}daxd]}) bl=$(median ${p99[$t${p}base]})
    label="$p $([ $t = wrk ] && echo "tls (wrk)" || echo "unix (http_load)")"
    printf '   %-28s %10s %10s %7sx %8sus %8sus\n' "$label" "$dr" "$br" "$(ratio "$dr" "$br")" "$dl" "$bl"
  done
done
# The token is enforced: a TCP request without it must not get 200 from either server.
for t in "$tcp_daxd" "$tcp_base"; do
  code=$(curl -sk -o /dev/null -w '%{http_code}' "https://$t/v1/namespaces" || true)
  [ "$code" != 200 ] || echo "   WARNING: https://$t answered 200 without a token"
done
echo "   TLS: self-signed P-256 (openssl), TLS 1.2+ both sides; wrk -H 'Authorization: Bearer <48 hex>'"
echo "   response sizes: /healthz $(stat -c %s "$dir/healthz.body") B, /v1/namespaces $(stat -c %s "$dir/namespaces.body") B (bodies)"
daxd_hwm=$(kb "$DAXD_PID" VmHWM) base_hwm=$(kb "$BASE_PID" VmHWM)
echo "== RSS (kB): daxd idle $daxd_idle, under load $(cat "$dir/rss-load" 2>/dev/null || echo n/a), peak (VmHWM) $daxd_hwm;" \
  "baseline idle $base_idle, peak $base_hwm; ratios daxd/baseline idle $(ratio "$daxd_idle" "$base_idle")x, peak $(ratio "$daxd_hwm" "$base_hwm")x"
