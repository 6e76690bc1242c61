"""Baseline for the `population` workload (XD setting): GD on the ReLU population loss
L = ¼‖Σwᵢ − v‖² + (1/2π)[Σ_{i<j} ψ(wᵢ,wⱼ) − Σᵢ ψ(wᵢ,v)],  ψ(u,w) = ‖u‖‖w‖(sin θ − θ cos θ)
(XD eq. 23), with ∇ᵤψ(u,w) = ‖w‖ sin θ ū − θ w, written the way a careful researcher would in
numpy or PyTorch: vectorized over all student pairs, no Python loop over neurons, angles by
2·atan2(‖ū−w̄‖, ‖ū+w̄‖) and sin θ − θ cos θ by its series for small θ (docs/model.md §5).

usage: population.py numpy|torch W0.npy v.npy lr steps repeats
prints one JSON line: {"backend", "final_loss", "seconds": [per repeat], "steps"}
"""

import json
import sys
import time

import numpy as np


def numpy_backend():
    xp = np

    def norm(a, axis=-1):
        return np.sqrt((a * a).sum(axis=axis))

    return xp, norm, np.arctan2, np.where


def torch_backend():
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))

    def norm(a, axis=-1):
        return torch.sqrt((a * a).sum(dim=axis))

    return torch, norm, torch.atan2, torch.where


def run(backend, W0, v, lr, steps):
    xp, norm, atan2, where = numpy_backend() if backend == "numpy" else torch_backend()
    if backend == "torch":
        import torch

        W = torch.tensor(W0, dtype=torch.float64)
        v = torch.tensor(v, dtype=torch.float64)
    else:
        W = W0.copy()
    n = W.shape[0]
    vn = norm(v)
    vbar = v / vn
    offdiag = 1.0 - (xp.eye(n, dtype=W.dtype) if backend == "numpy" else xp.eye(n, dtype=W.dtype))

    def g(theta):  # sin θ − θ cos θ, series below 0.01 (θ³/3 − θ⁵/30)
        t2 = theta * theta
        return where(theta < 1e-2, theta * t2 * (1 / 3 - t2 / 30), xp.sin(theta) - theta * xp.cos(theta))

    def step(W, want_loss):
        wn = norm(W)  # (n,)
        U = W / wn[:, None]
        # student–student angles (n, n)
        diff = norm(U[:, None, :] - U[None, :, :])
        summ = norm(U[:, None, :] + U[None, :, :])
        tss = 2 * atan2(diff, summ)
        # student–teacher angles (n,)
        tsv = 2 * atan2(norm(U - vbar), norm(U + vbar))
        r = W.sum(0) - v
        # ∇ᵢ = ½r + (1/2π)[Σ_{j≠i} (‖wⱼ‖ sin θᵢⱼ ūᵢ − θᵢⱼ wⱼ) − (‖v‖ sin θᵢ ūᵢ − θᵢ v)]
        sin_ss = xp.sin(tss) * offdiag
        coef = (sin_ss * wn[None, :]).sum(1) - vn * xp.sin(tsv)
        grad = 0.5 * r + (coef[:, None] * U - (tss * offdiag) @ W + tsv[:, None] * v[None, :]) / (2 * np.pi)
        loss = None
        if want_loss:
            psi_ss = (wn[:, None] * wn[None, :] * g(tss) * offdiag).sum() / 2
            psi_sv = (wn * vn * g(tsv)).sum()
            loss = 0.25 * (r * r).sum() + (psi_ss - psi_sv) / (2 * np.pi)
        return grad, loss

    t0 = time.perf_counter()
    for _ in range(steps):
        grad, _ = step(W, False)
        W = W - lr * grad
    # the final evaluation inside the timer, as in overparam's run (see large.py)
    _, loss = step(W, True)
    seconds = time.perf_counter() - t0
    return float(loss), seconds


def main():
    backend, w_file, v_file, lr, steps, repeats = sys.argv[1:7]
    if backend == "torch":
        try:
            import torch  # noqa: F401
        except ImportError as e:
            print(json.dumps({"backend": backend, "missing": str(e)}))
            return
    W0 = np.load(w_file)
    v = np.load(v_file).reshape(-1)
    times = []
    loss = None
    for _ in range(int(repeats)):
        loss, seconds = run(backend, W0, v, float(lr), int(steps))
        times.append(seconds)
    print(json.dumps({"backend": backend, "final_loss": loss, "seconds": times, "steps": int(steps)}))


if __name__ == "__main__":
    main()
