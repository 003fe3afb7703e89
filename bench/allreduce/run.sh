#!/usr/bin/env bash
# bench/run allreduce [--quick] [--json]: Tandem's gRPC ring all-reduce against Gloo's best
# algorithm (../shared/anchors/gloo_bench), N = 2 and 4 processes on 127.0.0.1, same sizes, same
# method, one invocation; plus iperf3 loopback TCP if installed. Ratio = Tandem busbw / Gloo's
# best busbw at that size (above 1: Tandem faster). ALLREDUCE_WORLDS: the world sizes (default
# "2 4"; issue [13]'s goals are for "2 3 4 5 6 7": worlds that are not a power of two fold
# their extra ranks into doubling / halving-doubling, collective/fold.h; about 5 minutes
# without TLS). TANDEM_ALLREDUCE_FLAGS: extra flags for every
# Tandem rank (e.g. "--pair=0 --doubling_max_bytes=0": the algorithm choice before run F;
# "--fold=0": direct exchange and ring only on worlds that are not a power of two, as before
# issue [13]).
# ALLREDUCE_TLS=1 (default; 0 skips it): Tandem again with mutual TLS and group keys as a
# deployment runs it (certificates from scripts/make-certs.sh), printed beside plaintext;
# "tls/plain" = TLS busbw / plaintext busbw.
# ALLREDUCE_LINK=RATE (e.g. 10gbit; needs root): also N = 2 with the ranks in two network
# namespaces joined by a veth pair shaped to RATE (tc tbf), plaintext and TLS: what the
# TLS cost is when a network link, not loopback's memory copies, bounds the bytes.
# Ranks on one host send their payloads through shared memory (collective/shm_outbox.h), as
# a deployment's workers on one machine do. ALLREDUCE_STREAM=1: Tandem again with every
# payload on its gRPC streams (--shm=0), as between machines, printed as "stream busbw" and
# "stream/gloo".
# ALLREDUCE_BF16=1: Tandem again with bfloat16 on the wire (training.gradient_wire: bf16),
# printed beside float32 as "bf16/fp32" (busbw counts the float32 bytes of the buffer, so the
# ratio is the speed-up); with ALLREDUCE_LINK, over the shaped link too.
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
bin="$build/bench/allreduce/tandem_allreduce_bench"
require_bin allreduce "$bin" tandem_allreduce_bench
gloo="$root/../shared/anchors/gloo_bench/run.sh"
[[ -x "$gloo" ]] || { echo "allreduce: Gloo harness $gloo not found" >&2; exit 1; }

if ((quick)); then
  sizes=4096,65536,1048576,16777216 seconds=0.3 worlds="${ALLREDUCE_WORLDS:-2 4}"
else
  sizes=4096,65536,262144,1048576,4194304,16777216,67108864 seconds=0.5 worlds="${ALLREDUCE_WORLDS:-2 4}"
fi

with_scratch allreduce

tls=${ALLREDUCE_TLS:-1}
bf16=${ALLREDUCE_BF16:-0}
stream=${ALLREDUCE_STREAM:-0}
if ((tls)); then
  bash "$root/scripts/make-certs.sh" "$tmp/certs" >/dev/null
fi

# Starts N Tandem ranks (extra flags after the output file); rank 0's JSON lines go to $2.
# Fails if any rank fails.
run_tandem() {
  local n=$1 out=$2 r p rc=0
  shift 2
  local rdv
  rdv="$(mktemp -d "$tmp/rdv$n.XXXXXX")"
  local -a extra
  read -r -a extra <<<"${TANDEM_ALLREDUCE_FLAGS:-}"
  extra+=("$@")
  pids=()
  for ((r = 0; r < n; r++)); do
    if ((r == 0)); then
      "$bin" --rank=$r --world=$n --rendezvous="$rdv" --sizes=$sizes --seconds=$seconds "${extra[@]}" >"$out" &
    else
      "$bin" --rank=$r --world=$n --rendezvous="$rdv" --sizes=$sizes --seconds=$seconds "${extra[@]}" >/dev/null &
    fi
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  pids=()
  return $rc
}

# The ranks of N = 2 in two network namespaces (made here, removed on exit) over a veth pair
# shaped to $1 in both directions; rank 0's JSON lines go to $2, extra flags after.
link_ns=()
scratch_cleanup() { for ns in "${link_ns[@]}"; do ip netns del "$ns" 2>/dev/null || true; done; }
run_tandem_link() {
  local rate=$1 out=$2 rdv r p rc=0
  shift 2
  if ((${#link_ns[@]} == 0)); then
    link_ns=("tandem-bench-$$-a" "tandem-bench-$$-b")
    ip netns add "${link_ns[0]}" && ip netns add "${link_ns[1]}" &&
      ip link add "tb$$a" netns "${link_ns[0]}" type veth peer name "tb$$b" netns "${link_ns[1]}" ||
      return 1
    for r in 0 1; do
      local ns=${link_ns[$r]} dev="tb$$$([[ $r == 0 ]] && echo a || echo b)"
      ip -n "$ns" link set lo up
      ip -n "$ns" addr add "10.231.0.$((r + 1))/24" dev "$dev"
      ip -n "$ns" link set "$dev" up
      ip netns exec "$ns" tc qdisc add dev "$dev" root tbf rate "$rate" burst 4mb latency 20ms
    done
  fi
  rdv="$(mktemp -d "$tmp/rdvlink.XXXXXX")"
  pids=()
  for r in 0 1; do
    local sink=/dev/null
    ((r == 0)) && sink=$out
    # --shm=0: the namespaces share this host's /dev/shm, and the link is what is measured.
    ip netns exec "${link_ns[$r]}" "$bin" --rank=$r --world=2 --rendezvous="$rdv" \
      --host="10.231.0.$((r + 1))" --sizes=$sizes --seconds=$seconds --shm=0 "$@" >"$sink" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  pids=()
  return $rc
}

echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load at start: $(uptime)" >&2
for n in $worlds; do
  echo "# tandem world=$n" >&2
  run_tandem "$n" "$tmp/tandem_$n.jsonl"
  if ((tls)); then
    echo "# tandem world=$n, mutual TLS" >&2
    run_tandem "$n" "$tmp/tandem_tls_$n.jsonl" --tls_dir="$tmp/certs"
  fi
  if ((stream)); then
    echo "# tandem world=$n, payloads on the gRPC streams" >&2
    run_tandem "$n" "$tmp/tandem_stream_$n.jsonl" --shm=0
  fi
  if ((bf16)); then
    echo "# tandem world=$n, bf16 on the wire" >&2
    run_tandem "$n" "$tmp/tandem_bf16_$n.jsonl" --bf16
  fi
  echo "# gloo world=$n" >&2
  GLOO_BENCH_BUILD_DIR="$build/gloo_bench" BENCH_SIZES=$sizes BENCH_SECONDS=$seconds \
    "$gloo" "$n" >"$tmp/gloo_$n.jsonl"
done
link=${ALLREDUCE_LINK:-}
if [[ -n $link ]]; then
  echo "# tandem world=2 over a $link veth link between network namespaces" >&2
  if run_tandem_link "$link" "$tmp/link_plain.jsonl" && { ((!tls)) ||
       run_tandem_link "$link" "$tmp/link_tls.jsonl" --tls_dir="$tmp/certs"; } &&
     { ((!bf16)) || run_tandem_link "$link" "$tmp/link_bf16.jsonl" --bf16; }; then :; else
    echo "# the $link link could not be set up (root and ip netns are needed): skipped" >&2
  fi
fi
if command -v iperf3 >/dev/null; then
  "$gloo" iperf >"$tmp/iperf.jsonl" || echo "# iperf3 failed" >&2
else
  echo "# iperf3 not installed: no loopback TCP reference" >&2
fi
echo "# load at end: $(uptime)" >&2

python3 - "$tmp" "$json" "$worlds" "$link" <<'PY'
import json, os, sys
tmp, as_json, worlds, link = sys.argv[1], sys.argv[2] == "1", sys.argv[3].split(), sys.argv[4]
def lines(path):
    if not os.path.exists(path): return []
    return [json.loads(l) for l in open(path) if l.strip().startswith("{")]
rows = []
for n in worlds:
    tandem = {d["bytes"]: d for d in lines(f"{tmp}/tandem_{n}.jsonl")}
    secure = {d["bytes"]: d for d in lines(f"{tmp}/tandem_tls_{n}.jsonl")}
    half = {d["bytes"]: d for d in lines(f"{tmp}/tandem_bf16_{n}.jsonl")}
    stream = {d["bytes"]: d for d in lines(f"{tmp}/tandem_stream_{n}.jsonl")}
    best = {}
    for d in lines(f"{tmp}/gloo_{n}.jsonl"):
        if d["bytes"] not in best or d["busbw_GBps"] > best[d["bytes"]]["busbw_GBps"]:
            best[d["bytes"]] = d
    for b in sorted(tandem):
        t, g = tandem[b], best.get(b)
        rows.append((int(n), b, t, g, secure.get(b), half.get(b), stream.get(b)))
if as_json:
    for n, b, t, g, s, h, st in rows:
        print(json.dumps({
            "bench": "allreduce", "point": {"world": n, "bytes": b},
            "tandem": t["busbw_GBps"], "peer": g["busbw_GBps"] if g else None,
            "peer_name": f"gloo/{g['algo']}" if g else "gloo",
            "ratio": round(t["busbw_GBps"] / g["busbw_GBps"], 3) if g else None,
            "unit": "GB/s busbw",
            "tandem_time_us": t["time_us_median"], "peer_time_us": g["time_us_median"] if g else None,
            "tandem_tls": s["busbw_GBps"] if s else None,
            "tls_over_plain": round(s["busbw_GBps"] / t["busbw_GBps"], 3) if s else None,
            "tls_over_peer": round(s["busbw_GBps"] / g["busbw_GBps"], 3) if s and g else None,
            "tandem_bf16": h["busbw_GBps"] if h else None,
            "bf16_over_fp32": round(h["busbw_GBps"] / t["busbw_GBps"], 3) if h else None,
            "tandem_stream": st["busbw_GBps"] if st else None,
            "stream_over_peer": round(st["busbw_GBps"] / g["busbw_GBps"], 3) if st and g else None}))
else:
    print(f"{'N':>2} {'size':>9} {'tandem':<16} {'tandem us':>10} {'algbw':>7} {'busbw':>7} | {'gloo best':>9} {'algo':<16} {'gloo us':>9} | ratio | {'tls busbw':>9} {'tls/plain':>9} {'tls/gloo':>8} | {'bf16 busbw':>10} {'bf16/fp32':>9} | {'stream busbw':>12} {'stream/gloo':>11}")
    for n, b, t, g, s, h, st in rows:
        size = f"{b >> 20} MiB" if b >= 1 << 20 else f"{b >> 10} KiB"
        gb = f"{g['busbw_GBps']:9.3f} {g['algo']:<16} {g['time_us_median']:9.1f}" if g else f"{'-':>9} {'':<16} {'-':>9}"
        ratio = f"{t['busbw_GBps'] / g['busbw_GBps']:.2f}x" if g else "-"
        sec = (f"{s['busbw_GBps']:9.3f} {s['busbw_GBps'] / t['busbw_GBps']:8.2f}x "
               f"{(s['busbw_GBps'] / g['busbw_GBps']) if g else float('nan'):7.2f}x") if s else f"{'-':>9} {'-':>9} {'-':>8}"
        hb = (f"{h['busbw_GBps']:10.3f} {h['busbw_GBps'] / t['busbw_GBps']:8.2f}x" if h
              else f"{'-':>10} {'-':>9}")
        sb = (f"{st['busbw_GBps']:12.3f} {(st['busbw_GBps'] / g['busbw_GBps']) if g else float('nan'):10.2f}x"
              if st else f"{'-':>12} {'-':>11}")
        print(f"{n:>2} {size:>9} {t['algo']:<16} {t['time_us_median']:10.1f} {t['algbw_GBps']:7.3f} {t['busbw_GBps']:7.3f} | {gb} | {ratio} | {sec} | {hb} | {sb}")
    plain = {d["bytes"]: d for d in lines(f"{tmp}/link_plain.jsonl")}
    secure = {d["bytes"]: d for d in lines(f"{tmp}/link_tls.jsonl")}
    half = {d["bytes"]: d for d in lines(f"{tmp}/link_bf16.jsonl")}
    if plain:
        print(f"# N = 2 over a {link} link (two network namespaces, veth, tc tbf):")
        print(f"{'N':>2} {'size':>9} {'plain busbw':>11} {'tls busbw':>9} {'tls/plain':>9} {'bf16 busbw':>10} {'bf16/fp32':>9}")
        for b in sorted(plain):
            size = f"{b >> 20} MiB" if b >= 1 << 20 else f"{b >> 10} KiB"
            p, s, h = plain[b], secure.get(b), half.get(b)
            sec = f"{s['busbw_GBps']:9.3f} {s['busbw_GBps'] / p['busbw_GBps']:8.2f}x" if s else f"{'-':>9} {'-':>9}"
            hb = f"{h['busbw_GBps']:10.3f} {h['busbw_GBps'] / p['busbw_GBps']:8.2f}x" if h else f"{'-':>10} {'-':>9}"
            print(f"{2:>2} {size:>9} {p['busbw_GBps']:11.3f} {sec} {hb}")
    for d in lines(f"{tmp}/iperf.jsonl"):
        print(f"# iperf3 loopback, {d['streams']} stream(s): {d['receiver_GBps']} GB/s")
    print("# busbw = algbw * 2(N-1)/N, GB = 1e9 B; time = median over iterations of the slowest rank")
PY
