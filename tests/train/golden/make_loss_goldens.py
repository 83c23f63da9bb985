#!/usr/bin/python3
"""Goldens for the ISM + Proxy-Anchor loss (tests/train/losses/test_losses.cpp).

Implements docs/METHOD.md#3-ism to #4-losses literally in PyTorch (float64) and writes inputs, the
loss and the gradients of semantic, uncertainty and proxies to
loss_goldens.json. Run: /usr/bin/python3 tests/train/golden/make_loss_goldens.py
"""
import json
import os

import torch

torch.manual_seed(0)


def l2_norm(x):
    return x / torch.sqrt((x * x).sum(1, keepdim=True) + 1e-12)


def ism(s, u, p):
    cos0 = torch.nn.functional.linear(l2_norm(s), l2_norm(p))
    d_s = (s * s).sum(1, keepdim=True) + (p * p).sum(1).unsqueeze(0) - 2 * s @ p.t()
    d_s = d_s.clamp_min(1e-12)
    d_u = (u * u).sum(1, keepdim=True)
    return 1 - (1 - cos0) * torch.exp(-(d_u + 4) / (5 * d_s))


def proxy_anchor(sim, y, n_classes, alpha=32.0, mrg=0.1):
    p_one_hot = torch.nn.functional.one_hot(y, n_classes).double()
    n_one_hot = 1 - p_one_hot
    pos_exp = torch.exp(-alpha * (sim - mrg))
    neg_exp = torch.exp(alpha * (sim + mrg))
    num_valid = int((p_one_hot.sum(0) != 0).sum())
    p_sum = torch.where(p_one_hot == 1, pos_exp, torch.zeros_like(pos_exp)).sum(0)
    n_sum = torch.where(n_one_hot == 1, neg_exp, torch.zeros_like(neg_exp)).sum(0)
    return torch.log(1 + p_sum).sum() / num_valid + torch.log(1 + n_sum).sum() / n_classes


cases = []
for name, metric, normalise, b, d, c in [
    ("ism_raw", "ism", False, 6, 5, 4),
    ("ism_l2", "ism", True, 8, 6, 5),
    ("cosine", "cosine", True, 7, 4, 6),
]:
    s = torch.randn(b, d, dtype=torch.float64, requires_grad=True)
    u = torch.randn(b, d, dtype=torch.float64, requires_grad=True)
    p = (torch.randn(c, d, dtype=torch.float64) * (2.0 / c) ** 0.5).requires_grad_(True)
    y = torch.randint(0, c - 1, (b,))  # leaves the last class absent: |P+| < C
    s_in, u_in = (l2_norm(s), l2_norm(u)) if normalise else (s, u)
    sim = ism(s_in, u_in, p) if metric == "ism" else torch.nn.functional.linear(l2_norm(s_in), l2_norm(p))
    loss = proxy_anchor(sim, y, c)
    loss.backward()
    cases.append({
        "name": name, "metric": metric, "normalise": normalise, "shape": [b, d, c],
        "semantic": s.detach().flatten().tolist(), "uncertainty": u.detach().flatten().tolist(),
        "proxies": p.detach().flatten().tolist(), "labels": y.tolist(),
        "similarity": sim.detach().flatten().tolist(), "loss": loss.item(),
        "grad_semantic": s.grad.flatten().tolist(), "grad_uncertainty": (u.grad if u.grad is not None else torch.zeros_like(u)).flatten().tolist(),
        "grad_proxies": p.grad.flatten().tolist(),
    })

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "loss_goldens.json"), "w") as f:
    json.dump(cases, f)
