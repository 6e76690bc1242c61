"""Baseline for the `large empirical` workload (DU setting): GD on
L(W) = ½ Σₖ (f(xₖ) − yₖ)², f(x) = (1/√m) Σᵣ aᵣ relu(wᵣᵀx) (DU eqs. 1–2, aᵣ = ±1 fixed),
∇_{wᵣ} = (1/√m) Σₖ eₖ aᵣ 1[wᵣᵀxₖ > 0] xₖ (DU eq. 3), vectorized as a researcher would write
it: two large matrix products per step (X Wᵀ and Gᵀ X), elementwise work in between.

usage: large.py numpy|torch W0.npy a.npy X.npy y.npy lr steps repeats
prints one JSON line: {"backend", "final_loss", "seconds": [per repeat], "steps", "threads"}

With `serve` for repeats, it warms up, prints {"ready": true, "threads"}, then times one run
per line read from stdin and prints {"seconds", "final_loss"} for each: bench/run.mjs
interleaves these runs with overparam's, so a drift of the machine's speed during the bench
affects both sides alike.
"""

import json
import math
import sys
import time

import numpy as np


def run(backend, W0, a, X, y, lr, steps):
    if backend == "torch":
        import torch

        W0, a, X, y = (torch.tensor(v, dtype=torch.float64) for v in (W0, a, X, y))
        relu = torch.relu
    else:
        relu = lambda z: np.maximum(z, 0.0)  # noqa: E731
    W = W0.clone() if backend == "torch" else W0.copy()  # m×d
    scaled = a / math.sqrt(W.shape[0])

    def loss_grad(W):
        Z = X @ W.T  # N×m
        e = relu(Z) @ scaled - y
        G = (Z > 0) * (e[:, None] * scaled[None, :])  # N×m
        return 0.5 * float(e @ e), G.T @ X

    t0 = time.perf_counter()
    for _ in range(steps):
        _, g = loss_grad(W)
        W = W - lr * g
    # the final point's loss and gradient inside the timer: an overparam run evaluates it too
    # (to record the last row), so both sides time steps + 1 evaluations
    loss, _ = loss_grad(W)
    seconds = time.perf_counter() - t0
    return loss, seconds


def main():
    backend, w_file, a_file, x_file, y_file, lr, steps, repeats = sys.argv[1:9]
    threads = None
    if backend == "torch":
        try:
            import torch
        except ImportError as e:
            print(json.dumps({"backend": backend, "missing": str(e)}))
            return
        threads = torch.get_num_threads()
    W0, a, X, y = (np.load(f) for f in (w_file, a_file, x_file, y_file))
    a = a.reshape(-1)
    run(backend, W0, a, X, y, float(lr), 1)  # warm-up (thread pools, allocator)
    if repeats == "serve":
        print(json.dumps({"ready": True, "threads": threads}), flush=True)
        for _ in sys.stdin:
            loss, seconds = run(backend, W0, a, X, y, float(lr), int(steps))
            print(json.dumps({"seconds": seconds, "final_loss": loss}), flush=True)
        return
    times, loss = [], None
    for _ in range(int(repeats)):
        loss, seconds = run(backend, W0, a, X, y, float(lr), int(steps))
        times.append(seconds)
    out = {"backend": backend, "final_loss": loss, "seconds": times, "steps": int(steps)}
    if threads is not None:
        out["threads"] = threads
    print(json.dumps(out))


if __name__ == "__main__":
    main()
