"""Baseline for the `small empirical` workload (WA setting): GD on
f(W) = 1/(4N) Σₖ (Σᵢ (xₖᵀwᵢ)² − yₖ)² (WA eq. 2), ∇_{wᵢ} = (1/N) Σₖ eₖ (xₖᵀwᵢ) xₖ (eq. 5),
vectorized as a researcher would write it: two matrix products per step, no Python loops.

usage: quadratic.py numpy|torch W0.npy X.npy y.npy lr steps repeats
prints one JSON line: {"backend", "final_loss", "seconds": [per repeat], "steps"}
"""

import json
import sys
import time

import numpy as np


def run(backend, W0, X, y, lr, steps):
    if backend == "torch":
        import torch

        W0, X, y = (torch.tensor(a, dtype=torch.float64) for a in (W0, X, y))
    W = W0.clone() if backend == "torch" else W0.copy()  # K×d
    n = X.shape[0]

    def loss_grad(W):
        Z = X @ W.T  # N×K
        e = (Z * Z).sum(1) - y
        return (e * e).sum() / (4 * n), (Z * e[:, None]).T @ X / n

    t0 = time.perf_counter()
    for _ in range(steps):
        _, g = loss_grad(W)
        W = W - lr * g
    # the final evaluation inside the timer, as in overparam's run (see large.py)
    loss, _ = loss_grad(W)
    seconds = time.perf_counter() - t0
    return float(loss), seconds


def main():
    backend, w_file, x_file, y_file, lr, steps, repeats = sys.argv[1:8]
    if backend == "torch":
        try:
            import torch  # noqa: F401
        except ImportError as e:
            print(json.dumps({"backend": backend, "missing": str(e)}))
            return
    W0, X, y = np.load(w_file), np.load(x_file), np.load(y_file)
    times, loss = [], None
    for _ in range(int(repeats)):
        loss, seconds = run(backend, W0, X, y, float(lr), int(steps))
        times.append(seconds)
    print(json.dumps({"backend": backend, "final_loss": loss, "seconds": times, "steps": int(steps)}))


if __name__ == "__main__":
    main()
