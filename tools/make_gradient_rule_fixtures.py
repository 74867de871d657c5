#!/usr/bin/python3
"""Writes src/test/resources/fixtures/gradrules/gradient_rules.json: the gradient rules of
ProGrad and of R-AMT's Table 5 applied by an independent torch reference.

  pairs        tensors a (the task gradient) and b (the distillation's), per pair:
               "projection" = ProGrad as its official code applies it per parameter tensor
               (Dassl's prograd_backward_and_update: b normalized, a - lambda (a . b^) b^ where
               a^ . b^ < 0) and "agreement" = a where sign(a) sign(b) >= 0, else 0
  model        a tiny prompted classifier, logits = x @ w: w's gradient of the mean
               cross-entropy and of the distillation -sum softmax(t / T) log_softmax(z / T) T^2
               (batch mean, ProGradLoss) taken by autograd, and the projected gradient

Run with Debian's python3 and torch. Seeded: a rerun writes the same values.

Usage: tools/make_gradient_rule_fixtures.py [output-file]
"""

import json
import sys

import torch

torch.manual_seed(16)
OUT = sys.argv[1] if len(sys.argv) > 1 else \
    "src/test/resources/fixtures/gradrules/gradient_rules.json"


def projection(a, b, lam):
    b_hat = b / torch.linalg.norm(b)
    a_hat = a / torch.linalg.norm(a)
    if torch.dot(a_hat.flatten(), b_hat.flatten()) < 0:
        return a - lam * torch.dot(a.flatten(), b_hat.flatten()) * b_hat
    return a.clone()


def agreement(a, b):
    return torch.where(torch.sign(a) * torch.sign(b) >= 0, a, torch.zeros_like(a))


def listed(t):
    return [float(v) for v in t.double().flatten()]


pairs = []
for name, shape, make_b, lam in [
        ("conflict", (3, 4), lambda a: -0.7 * a + 0.3 * torch.randn_like(a), 1.0),
        ("conflict_lambda_0.8", (5,), lambda a: -a + 0.5 * torch.randn_like(a), 0.8),
        ("agree", (2, 3), lambda a: a + 0.2 * torch.randn_like(a), 1.0),
        ("mixed_signs", (4, 2), lambda a: torch.randn_like(a), 0.5)]:
    a = torch.randn(shape, dtype=torch.float64)
    b = make_b(a)
    pairs.append({"name": name, "shape": list(shape), "lambda": lam, "a": listed(a),
                  "b": listed(b), "dot": float((a * b).sum()),
                  "projection": listed(projection(a, b, lam)),
                  "agreement": listed(agreement(a, b))})

n, d, c, temperature, lam = 6, 4, 3, 1.0, 1.0
x = torch.randn(n, d, dtype=torch.float64)
labels = torch.randint(0, c, (n,))
# a teacher that prefers the next class: its gradient conflicts with the cross-entropy's
teacher = 4 * torch.nn.functional.one_hot((labels + 1) % c, c).double() \
    + torch.randn(n, c, dtype=torch.float64)
# small weights: near-uniform predictions, so the two gradients pull apart
w = (0.1 * torch.randn(d, c, dtype=torch.float64)).requires_grad_(True)
logits = x @ w
ce = torch.nn.functional.cross_entropy(logits, labels)
kl = (-torch.softmax(teacher / temperature, -1)
      * torch.log_softmax(logits / temperature, -1) * temperature ** 2).sum(1).mean()
g_ce, = torch.autograd.grad(ce, w, retain_graph=True)
g_kl, = torch.autograd.grad(kl, w)
model = {"x": listed(x), "n": n, "d": d, "c": c, "teacher": listed(teacher),
         "labels": [int(v) for v in labels], "w": listed(w.detach()),
         "temperature": temperature, "lambda": lam, "g_ce": listed(g_ce), "g_kl": listed(g_kl),
         "dot": float((g_ce * g_kl).sum()), "projected": listed(projection(g_ce, g_kl, lam))}

with open(OUT, "w") as f:
    json.dump({"pairs": pairs, "model": model}, f, indent=1)
print(OUT, "model dot", model["dot"], [p["dot"] for p in pairs])
