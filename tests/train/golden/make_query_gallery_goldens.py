#!/usr/bin/env python3
"""Goldens for tests/train/metrics/test_query_gallery_golden.cpp: queries searched
among a separate gallery (the In-shop protocol), scored by pytorch-metric-learning's
AccuracyCalculator with separate query and reference sets, and Recall@K by the
Proxy-Anchor code's In-shop rule.

Run with the developer venv (torch, pytorch-metric-learning 2.x, faiss-cpu):
    python3 tests/train/golden/make_query_gallery_goldens.py
It rewrites the files next to this script; everything is seeded.

Data: 16-d Gaussian classes. 30 classes have 3-9 queries and 2-7 gallery
samples each; 6 more classes appear in the gallery only (distractors). Every
query's class is in the gallery: AccuracyCalculator leaves queries without a
match out of every metric, while idml counts them as misses in R@K, so the
goldens avoid them (test_query_gallery.cpp checks that case against a naive
reference). Labels are arbitrary non-dense int64 ids.

Expected values, on the L2-normalised float32 embeddings (x / sqrt(sum x^2 + 1e-12)):
  - R@1, RP, MAP@R: AccuracyCalculator(include=("precision_at_1", "r_precision",
    "mean_average_precision_at_r"), k="max_bin_count").get_accuracy(query,
    query_labels, reference=gallery, reference_labels=gallery_labels,
    ref_includes_query=False); R@1 = precision_at_1.
  - R@K for K in 1, 10, 20, 30, 40, 50: the Proxy-Anchor code's rule, a query
    is a hit at K when fewer than K gallery samples of another class are more
    similar than its most similar same-class gallery sample (cosine, float64).
"""
import json
import os

import numpy as np
import torch
from pytorch_metric_learning.utils.accuracy_calculator import AccuracyCalculator

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(26)

dim, shared, distractors = 16, 30, 6
centers = rng.normal(size=(shared + distractors, dim))
ids = np.array([300 + 11 * c for c in range(shared + distractors)], dtype=np.int64)
query, query_labels, gallery, gallery_labels = [], [], [], []
for c in range(shared + distractors):
    if c < shared:
        n = rng.integers(3, 10)
        query.append(centers[c] + 1.6 * rng.normal(size=(n, dim)))
        query_labels.append(np.full(n, ids[c]))
    n = rng.integers(2, 8)
    gallery.append(centers[c] + 1.6 * rng.normal(size=(n, dim)))
    gallery_labels.append(np.full(n, ids[c]))


def shuffled(points, labels):
    points, labels = np.concatenate(points).astype(np.float32), np.concatenate(labels).astype(np.int64)
    order = rng.permutation(len(labels))
    return points[order], labels[order]


query, query_labels = shuffled(query, query_labels)
gallery, gallery_labels = shuffled(gallery, gallery_labels)


def normalize(x):
    x64 = x.astype(np.float64)
    return (x64 / np.sqrt((x64 ** 2).sum(1, keepdims=True) + 1e-12)).astype(np.float32)


q, g = normalize(query), normalize(gallery)
calculator = AccuracyCalculator(include=("precision_at_1", "r_precision", "mean_average_precision_at_r"),
                                k="max_bin_count")
pml = calculator.get_accuracy(torch.from_numpy(q), torch.from_numpy(query_labels), torch.from_numpy(g),
                              torch.from_numpy(gallery_labels), ref_includes_query=False)

similarity = q.astype(np.float64) @ g.astype(np.float64).T
expected = {"RP": float(pml["r_precision"]), "MAP@R": float(pml["mean_average_precision_at_r"]),
            "pml_precision_at_1": float(pml["precision_at_1"])}
for k in (1, 10, 20, 30, 40, 50):
    hits = 0
    for i in range(len(query_labels)):
        same = gallery_labels == query_labels[i]
        best_same = similarity[i][same].max()
        hits += int((similarity[i][~same] > best_same).sum() < k)
    expected[f"R@{k}"] = hits / len(query_labels)
assert abs(expected["R@1"] - expected["pml_precision_at_1"]) < 1e-12

np.save(os.path.join(HERE, "query_gallery_queries.npy"), query)
np.save(os.path.join(HERE, "query_gallery_query_labels.npy"), query_labels)
np.save(os.path.join(HERE, "query_gallery_gallery.npy"), gallery)
np.save(os.path.join(HERE, "query_gallery_gallery_labels.npy"), gallery_labels)
with open(os.path.join(HERE, "query_gallery_expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
print(len(query_labels), "queries,", len(gallery_labels), "gallery:", expected)
