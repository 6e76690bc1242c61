#!/usr/bin/env bash
# Queue overhead and throughput (docs/sweeps.md, BENCHMARKS.md): the same sweep on the local
# pool and through BullMQ/Redis with 1 and 2 worker processes. Needs redis-server and a build.
#   bash bench/queue.sh            # tiny runs (200) and XD-size runs (20)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="node bin/overparam.js"
WORK=$(mktemp -d)
PORT=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
URL=redis://127.0.0.1:$PORT
"${OVERPARAM_REDIS_SERVER:-redis-server}" --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --save '' --appendonly yes >/dev/null &
REDIS=$!
trap 'kill $REDIS 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 0.5

spec() { # name steps widths seeds
  cat > "$WORK/$1.yaml" <<YAML
name: $1
dimension: 10
activation: relu
teacher: { kind: single, norm: 1 }
student: { width: 2, init: { kind: gaussian, scale: 0.1 } }
loss: { kind: population }
optimizer: { kind: gd, lr: 0.05, steps: $2 }
metrics: [loss]
sweep: { student.width: [$3] }
seeds: $4
YAML
}
now() { date +%s.%N; }
timed() { local t0; t0=$(now); "$@" >/dev/null 2>&1 || true; echo "$(now) - $t0" | bc; }

REPEATS=${REPEATS:-3}

bench() { # label steps widths seeds runs: each measurement REPEATS times, the median reported
  local l1s=() l2s=() q1s=() q2s=() q1c2s=() w1 w2 r
  for r in $(seq "$REPEATS"); do
    for v in local1 local2 q1 q2 q1c2; do spec "$1-$v" "$2" "$3" "$4"; done
    sed -i "s/^name: .*/name: $1/" "$WORK"/$1-*.yaml   # the same runs, separate folders
    rm -rf "$WORK"/o-$1-*
    l1s+=("$(timed $BIN sweep "$WORK/$1-local1.yaml" --out "$WORK/o-$1-l1" --threads 1 --quiet)")
    l2s+=("$(timed $BIN sweep "$WORK/$1-local2.yaml" --out "$WORK/o-$1-l2" --threads 2 --quiet)")
    $BIN worker "$URL" --concurrency 1 --quiet 2>/dev/null & w1=$!; sleep 1.5
    q1s+=("$(timed $BIN sweep "$WORK/$1-q1.yaml" --out "$WORK/o-$1-q1" --queue "$URL" --quiet)")
    $BIN worker "$URL" --concurrency 1 --quiet 2>/dev/null & w2=$!; sleep 1.5
    q2s+=("$(timed $BIN sweep "$WORK/$1-q2.yaml" --out "$WORK/o-$1-q2" --queue "$URL" --quiet)")
    kill -INT $w1 $w2; wait $w1 $w2 || true
    $BIN worker "$URL" --concurrency 2 --quiet 2>/dev/null & w1=$!; sleep 1.5
    q1c2s+=("$(timed $BIN sweep "$WORK/$1-q1c2.yaml" --out "$WORK/o-$1-q1c2" --queue "$URL" --quiet)")
    kill -INT $w1; wait $w1 || true
    for o in q1 q2 q1c2; do
      diff -q <(cd "$WORK/o-$1-l1/runs" && cat */metrics.csv) <(cd "$WORK/o-$1-$o/runs" && cat */metrics.csv) >/dev/null || echo "MISMATCH $1 $o"
    done
  done
  node -e '
    const [label, n, ...lists] = process.argv.slice(1);
    const med = (s) => { const v = s.trim().split(" ").map(Number).sort((a, b) => a - b); return v[(v.length - 1) >> 1]; };
    const [l1, l2, q1, q2, q1c2] = lists.map(med);
    const f = (t) => `${t.toFixed(2)} s (${(n / t).toFixed(1)} runs/s)`;
    console.log(`${label}: ${n} runs (median of ${lists[0].trim().split(" ").length})`);
    console.log(`  local pool, 1 thread:        ${f(l1)}`);
    console.log(`  queue, 1 worker × 1:         ${f(q1)}   overhead ${((q1 - l1) / n * 1000).toFixed(1)} ms/run`);
    console.log(`  local pool, 2 threads:       ${f(l2)}`);
    console.log(`  queue, 2 workers × 1:        ${f(q2)}   overhead ${((q2 - l2) / n * 1000).toFixed(1)} ms/run`);
    console.log(`  queue, 1 worker × 2:         ${f(q1c2)}`);
    console.log(`  efficiency (local 2 threads / queue 2 workers): ${(100 * l2 / q2).toFixed(0)}%`);
  ' "$1" "$5" "${l1s[*]}" "${l2s[*]}" "${q1s[*]}" "${q2s[*]}" "${q1c2s[*]}"
}

bench tiny 100 "2, 3" 100 200
bench xd-size 200000 "2, 3, 4, 5" 5 20
