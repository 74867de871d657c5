#!/usr/bin/python3
"""Writes fixtures/methods/lpclip_fit.npz: L2-regularized logistic regression fitted in torch, to
check tfpeft's L-BFGS solver (tfpeft.peft.baseline.LogisticRegression) against.

The objective is scikit-learn's LogisticRegression(penalty="l2", C=c), which CoOp's
lpclip/linear_probe.py fits: C sum_i CE_i + |W|^2 / 2, intercepts not penalized; multinomial
for three or more classes, and for two classes one weight vector v with the binary logistic
loss C sum_i log(1 + exp(-s_i (v x_i + b))) + |v|^2 / 2 (s_i = +-1), which tfpeft reads as the
two-class softmax W = [-v / 2, v / 2], b = [-b / 2, b / 2]. Each is minimized in float64 by
torch.optim.LBFGS (strong Wolfe) to a gradient below 1e-12. Intercepts are written centered
(a shared shift of all of them changes no prediction and the softmax loss is blind to it).

Arrays: x3 [30, 4], y3 [30], c3, w3 [4, 3] (the head's [in, out] layout), b3 [3];
x2 [20, 4], y2 [20], c2, w2 [4, 2], b2 [2]. Seeded: a rerun writes the same values.

Usage: tools/make_lpclip_fixture.py [output-dir]
"""

import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "src", "test", "resources", "fixtures", "methods")


def minimize(loss, params):
    opt = torch.optim.LBFGS(params, lr=1, max_iter=5000, tolerance_grad=1e-12,
                            tolerance_change=0, history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        value = loss()
        value.backward()
        return value

    for _ in range(5):
        opt.step(closure)


def multinomial(x, y, c, classes):
    w = torch.zeros(classes, x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    minimize(lambda: c * torch.nn.functional.cross_entropy(x @ w.T + b, y, reduction="sum")
             + 0.5 * (w ** 2).sum(), [w, b])
    return w.detach().T, b.detach() - b.detach().mean()


def binary(x, y, c):
    v = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    s = 2.0 * y.double() - 1
    minimize(lambda: c * torch.nn.functional.softplus(-s * (x @ v + b)).sum()
             + 0.5 * (v ** 2).sum(), [v, b])
    v, b = v.detach(), b.detach()
    return torch.stack([-v / 2, v / 2], dim=1), torch.stack([-b / 2, b / 2])


def main():
    gen = torch.Generator().manual_seed(7)
    centers = torch.randn(3, 4, generator=gen, dtype=torch.float64)
    y3 = torch.arange(30) % 3
    # rounded to float32 first: the fit sees the values the fixture holds
    x3 = (centers[y3] + 1.5 * torch.randn(30, 4, generator=gen, dtype=torch.float64)).float().double()
    w3, b3 = multinomial(x3, y3, 0.5, 3)
    y2 = torch.arange(20) % 2
    x2 = (centers[y2] * 2 + torch.randn(20, 4, generator=gen, dtype=torch.float64)).float().double()
    w2, b2 = binary(x2, y2, 2.0)
    os.makedirs(OUT, exist_ok=True)
    f = lambda t: np.asarray(t, dtype=np.float32)
    np.savez(os.path.join(OUT, "lpclip_fit.npz"), x3=f(x3), y3=f(y3), c3=f([0.5]), w3=f(w3),
             b3=f(b3), x2=f(x2), y2=f(y2), c2=f([2.0]), w2=f(w2), b2=f(b2))
    print("w3", w3.numpy().round(4).tolist(), "b3", b3.numpy().round(4).tolist())
    print("w2", w2.numpy().round(4).tolist(), "b2", b2.numpy().round(4).tolist())


if __name__ == "__main__":
    main()
