#!/usr/bin/env python3
"""Goldens of the five losses of the authors' script that come from pytorch-metric-learning (PML 2.x)
and of their miners, for tests/train/losses/test_pml_goldens.cpp; plus the pairwise ISM of
docs/METHOD.md#3-ism written literally from the authors' `distance_var` form.

Each case holds float64 inputs (semantic embeddings, labels, proxies for Proxy-NCA) and, for
float64 and for float32 (the inputs rounded), what PML computes with the reference's settings:
the loss, its gradient with respect to the embeddings (and proxies), and the miner's output as
sorted index tuples. Cases include batches where the miner selects nothing (loss 0, gradient 0).

A developer tool (the build and the tests never run Python):
    python3 tests/train/losses/golden/make_pml_goldens.py
writes pml_goldens.json beside this file.
"""
import json
import os

import pytorch_metric_learning
import torch
from pytorch_metric_learning import losses, miners

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def unit(x):
    return x / x.norm(dim=1, keepdim=True)


def clusters(gen, labels, dim, spread):
    """One random direction per class plus noise of size `spread` (well separated when small)."""
    centres = unit(torch.randn(max(labels) + 1, dim, generator=gen, dtype=torch.float64))
    points = centres[torch.tensor(labels)] + spread * torch.randn(len(labels), dim, generator=gen, dtype=torch.float64)
    return points


def run(name, loss_name, embeddings, labels, proxies=None, indices=None):
    case = {"name": name, "loss": loss_name, "shape": list(embeddings.shape), "labels": labels,
            "embeddings": embeddings.flatten().tolist()}
    if proxies is not None:
        case["proxies"] = proxies.flatten().tolist()
        case["num_classes"] = proxies.shape[0]
    if indices is not None:
        case["indices"] = [list(map(int, t)) for t in indices]
    for dtype_name, dtype in DTYPES.items():
        x = embeddings.to(dtype).clone().requires_grad_(True)
        y = torch.tensor(labels)
        out = {}
        if loss_name == "Proxy_NCA":
            loss_func = losses.ProxyNCALoss(num_classes=proxies.shape[0], embedding_size=proxies.shape[1],
                                            softmax_scale=32)
            loss_func.proxies.data = proxies.to(dtype).clone()
            loss = loss_func(x, y)
        elif loss_name == "MS":
            miner = miners.MultiSimilarityMiner(epsilon=0.1)
            loss_func = losses.MultiSimilarityLoss(2, 50, 0.5)
            if indices is None:
                mined = miner(x, y)
                out["mined"] = sorted_pairs(mined)
            else:
                mined = tuple(torch.tensor(t, dtype=torch.long) for t in indices)
            loss = loss_func(x, y, mined)
        elif loss_name == "Contrastive":
            loss = losses.ContrastiveLoss(pos_margin=0, neg_margin=0.5)(x, y)
        elif loss_name == "Triplet":
            miner = miners.TripletMarginMiner(0.1, type_of_triplets="semihard")
            mined = miner(x, y)
            out["mined"] = sorted(zip(*[t.tolist() for t in mined]))
            loss = losses.TripletMarginLoss(margin=0.1)(x, y, mined)
        elif loss_name == "NPair":
            loss = losses.NPairsLoss()(x, y)  # the reference's l2_reg_weight=0: no regulariser (PML 2.x has no such argument)
        else:
            raise ValueError(loss_name)
        loss.backward()
        out["loss"] = loss.item()
        out["grad_embeddings"] = x.grad.double().flatten().tolist()
        if loss_name == "Proxy_NCA":
            out["grad_proxies"] = loss_func.proxies.grad.double().flatten().tolist()
        case[dtype_name] = out
    return case


def sorted_pairs(mined):
    a1, p, a2, n = (t.tolist() for t in mined)
    return {"positive": sorted(zip(a1, p)), "negative": sorted(zip(a2, n))}


def ism_case(gen):
    """The pairwise ISM of the authors' Proxy_Anchor.forward with both sides' uncertainty (their distance_var)."""
    s = torch.randn(7, 5, generator=gen, dtype=torch.float64)
    u = torch.randn(7, 5, generator=gen, dtype=torch.float64)

    def l2_norm(x):
        return x / torch.sqrt((x * x).sum(1, keepdim=True) + 1e-12)

    cos_ori = torch.nn.functional.linear(l2_norm(s), l2_norm(s))
    distance_mu = (s * s).sum(1, keepdim=True) + (s * s).sum(1) - 2 * s @ s.t()
    distance_var = (u * u).sum(1, keepdim=True) + (u * u).sum(1) - 2 * u @ u.t()
    sim = 1 - (1 - cos_ori) * torch.exp(-(distance_var + 4) / (5 * distance_mu.clamp_min(1e-12)))
    return {"semantic": s.flatten().tolist(), "uncertainty": u.flatten().tolist(), "shape": list(s.shape),
            "similarity": sim.flatten().tolist()}


def main():
    gen = torch.Generator().manual_seed(0)
    randn = lambda *shape: torch.randn(*shape, generator=gen, dtype=torch.float64)
    cases = []
    # Proxy-NCA: random; then one sample exactly opposite its own proxy and on another's, so that its
    # softmax underflows to 0 in float32 (dropped from the mean) but not in float64.
    labels = [0, 1, 2, 3, 4, 0, 1, 2, 0, 3]
    cases.append(run("proxy_nca_random", "Proxy_NCA", randn(10, 8), labels, proxies=randn(6, 8)))
    proxies = randn(4, 6)
    x = randn(5, 6)
    x[0] = -proxies[1] * 2.0  # label 1: opposite its proxy ...
    proxies[2] = -proxies[1] * 3.0  # ... and on proxy 2's direction
    cases.append(run("proxy_nca_underflow", "Proxy_NCA", x, [1, 0, 2, 3, 1], proxies=proxies))
    # Multi-similarity: random batches (IPC-like and uneven), a batch the miner leaves empty, and the
    # loss alone on given pairs: one positive and one negative pair gives 0 in PML.
    cases.append(run("ms_random", "MS", randn(16, 8), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]))
    cases.append(run("ms_uneven", "MS", randn(11, 6), [0, 1, 0, 2, 1, 0, 3, 2, 2, 4, 1]))
    cases.append(run("ms_nothing_mined", "MS", clusters(gen, [0, 0, 1, 1, 2, 2], 8, 0.01), [0, 0, 1, 1, 2, 2]))
    cases.append(run("ms_one_pair_each", "MS", randn(6, 5), [0, 0, 1, 1, 2, 2], indices=([0], [1], [0], [2])))
    cases.append(run("ms_given_pairs", "MS", randn(6, 5), [0, 0, 1, 1, 2, 2],
                     indices=([0, 1, 3, 3], [1, 0, 2, 2], [0, 0, 4, 5], [2, 5, 1, 0])))
    # Contrastive: random; no positive pair at all; every pair already satisfied (0, zero gradient).
    cases.append(run("contrastive_random", "Contrastive", randn(12, 8), [0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 3]))
    cases.append(run("contrastive_no_positives", "Contrastive", clusters(gen, [0] * 5, 4, 0.3), [0, 1, 2, 3, 4]))
    cases.append(run("contrastive_all_satisfied", "Contrastive", torch.eye(4, dtype=torch.float64).repeat(2, 1),
                     [0, 1, 2, 3, 0, 1, 2, 3]))
    # Triplet: random (semihard triplets exist); well-separated clusters (none mined).
    cases.append(run("triplet_random", "Triplet", randn(16, 8), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]))
    cases.append(run("triplet_uneven", "Triplet", randn(10, 4), [0, 1, 0, 2, 1, 0, 2, 2, 3, 1]))
    cases.append(run("triplet_nothing_mined", "Triplet", clusters(gen, [0, 0, 1, 1, 2, 2], 8, 0.01),
                     [0, 0, 1, 1, 2, 2]))
    # N-pair: pairs; a class of three (its third sample unused) and one of one (no pair); no pair at all.
    cases.append(run("npair_pairs", "NPair", randn(10, 8), [3, 1, 0, 3, 2, 1, 4, 0, 2, 4]))
    cases.append(run("npair_uneven", "NPair", randn(9, 6), [2, 0, 2, 1, 0, 2, 5, 1, 3]))
    cases.append(run("npair_no_pairs", "NPair", randn(4, 6), [0, 1, 2, 3]))
    out = {"pml_version": pytorch_metric_learning.__version__, "torch_version": torch.__version__,
           "cases": cases, "pairwise_ism": ism_case(gen)}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pml_goldens.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
