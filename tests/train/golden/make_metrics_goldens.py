#!/usr/bin/python3
"""Goldens for tests/train/metrics/test_metrics_golden.cpp and tests/io/test_npy.cpp.

Run from anywhere with /usr/bin/python3 (numpy, scikit-learn 1.2); it rewrites
the files next to this script. Everything is seeded, so a rerun reproduces them.

metrics_*: 302 points in 16-d, 10 noisy Gaussian classes of 30 plus two lone
points, labels as arbitrary (non-dense) int64 ids. Expected values:
  - R@K, RP, MAP@R by brute force in float64 on the L2-normalised float32
    embeddings, self excluded by index, ties to the lower index; lone queries
    are misses in R@K (denominator = all queries, as the reference's
    recall_at_k) and left out of RP and MAP@R;
  - NMI by sklearn.metrics.normalized_mutual_info_score and F1 by explicit
    O(N^2) pair counting, both of sklearn's KMeans assignment (saved), so the
    C++ scores are checked on the same clustering; sklearn's inertia is saved
    for a loose check of our k-means.
kmeans_*: sklearn's own spread of NMI / F1 / inertia over random_state 0-7
  and n_init 1 or 10 (KMeans before 1.4: greedy k-means++, lloyd, tol 1e-4,
  max_iter 300) on three cases: the 302 points above, a CUB-like set (50
  overlapping classes of 20) and a SOP-like set (400 classes of 2-12 points);
  test_kmeans_golden.cpp requires our k-means to land inside that spread.
npy_*: small arrays in the dtypes / layouts the reader accepts or rejects.
"""
import json
import os

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20231)

classes, per_class, dim = 10, 30, 16
centers = rng.normal(size=(classes, dim))
points = [centers[c] + 0.9 * rng.normal(size=(per_class, dim)) for c in range(classes)]
labels = [np.full(per_class, 1000 + 7 * c, dtype=np.int64) for c in range(classes)]
points.append(rng.normal(size=(2, dim)))           # two lone queries
labels.append(np.array([5, 77], dtype=np.int64))
embeddings = np.concatenate(points).astype(np.float32)
labels = np.concatenate(labels)
order = rng.permutation(len(labels))
embeddings, labels = embeddings[order], labels[order]
n = len(labels)

# L2-normalise as the C++ code does: x / sqrt(sum x^2 + 1e-12), rounded to float32.
x64 = embeddings.astype(np.float64)
normalized = (x64 / np.sqrt((x64 ** 2).sum(1, keepdims=True) + 1e-12)).astype(np.float32)
sim = normalized.astype(np.float64) @ normalized.astype(np.float64).T
np.fill_diagonal(sim, -np.inf)
neighbours = np.argsort(-sim, axis=1, kind="stable")[:, : n - 1]   # ties: lower index first
same = labels[neighbours] == labels[:, None]
r = np.array([(labels == l).sum() - 1 for l in labels])
scored = r > 0

expected = {}
for k in (1, 2, 4, 8, 16):
    expected[f"R@{k}"] = float(same[:, :k].any(1).mean())   # lone queries: never a hit
rp, mapr = [], []
for q in np.nonzero(scored)[0]:
    rel = same[q, : r[q]]
    rp.append(rel.sum() / r[q])
    precision = np.cumsum(rel) / np.arange(1, r[q] + 1)
    mapr.append((precision * rel).sum() / r[q])
expected["RP"] = float(np.mean(rp))
expected["MAP@R"] = float(np.mean(mapr))
expected["scored_queries"] = int(scored.sum())

n_clusters = len(np.unique(labels))
kmeans = KMeans(n_clusters=n_clusters, n_init=10, random_state=0).fit(normalized.astype(np.float64))
assignment = kmeans.labels_.astype(np.int64)
expected["clusters"] = int(n_clusters)
expected["sklearn_inertia"] = float(kmeans.inertia_)
expected["NMI"] = float(normalized_mutual_info_score(labels, assignment))
iu = np.triu_indices(n, 1)
same_class = (labels[:, None] == labels[None, :])[iu]
same_cluster = (assignment[:, None] == assignment[None, :])[iu]
tp = float((same_class & same_cluster).sum())
precision, recall = tp / same_cluster.sum(), tp / same_class.sum()
expected["F1"] = 2 * precision * recall / (precision + recall)

np.save(os.path.join(HERE, "metrics_embeddings.npy"), embeddings)
np.save(os.path.join(HERE, "metrics_labels.npy"), labels)
np.save(os.path.join(HERE, "metrics_sklearn_assignment.npy"), assignment)
with open(os.path.join(HERE, "metrics_expected.json"), "w") as f:
    json.dump(expected, f, indent=2)
    f.write("\n")


def normalize(x):
    x64 = x.astype(np.float64)
    return (x64 / np.sqrt((x64 ** 2).sum(1, keepdims=True) + 1e-12)).astype(np.float32)


def pair_f1(labels, assignment):
    # Pair counting from the contingency table: pairs together in both / in either.
    _, l = np.unique(labels, return_inverse=True)
    _, a = np.unique(assignment, return_inverse=True)
    table = np.zeros((l.max() + 1, a.max() + 1))
    np.add.at(table, (l, a), 1)
    pairs = lambda c: (c * (c - 1) / 2).sum()
    tp = pairs(table)
    precision, recall = tp / pairs(table.sum(0)), tp / pairs(table.sum(1))
    return 2 * precision * recall / (precision + recall)


def clustered(rng, sizes, dim, sigma):
    """Unit class centres in R^dim, points = centre + sigma * N(0, I / dim)."""
    centres = normalize(rng.normal(size=(len(sizes), dim))).astype(np.float64)
    x = np.concatenate([centres[c] + sigma / np.sqrt(dim) * rng.normal(size=(s, dim)) for c, s in enumerate(sizes)])
    y = np.concatenate([np.full(s, c, dtype=np.int64) for c, s in enumerate(sizes)])
    order = rng.permutation(len(y))
    return x[order].astype(np.float32), y[order]


cases = {"blobs302": (embeddings, labels)}
cases["cub_like"] = clustered(np.random.default_rng(7), [20] * 50, 32, 1.3)
cases["sop_like"] = clustered(np.random.default_rng(8), np.random.default_rng(9).integers(2, 13, size=400), 32, 0.95)
spread = {}
for name, (x, y) in cases.items():
    if name != "blobs302":
        np.save(os.path.join(HERE, f"kmeans_{name}_embeddings.npy"), x)
        np.save(os.path.join(HERE, f"kmeans_{name}_labels.npy"), y)
    xn = normalize(x)
    runs = []
    for n_init in (1, 10):
        for state in range(8):
            km = KMeans(n_clusters=len(np.unique(y)), n_init=n_init, random_state=state, algorithm="lloyd").fit(xn)
            runs.append({"n_init": n_init, "random_state": state, "inertia": float(km.inertia_),
                         "NMI": float(normalized_mutual_info_score(y, km.labels_)), "F1": float(pair_f1(y, km.labels_))})
    spread[name] = {"n": int(len(y)), "clusters": int(len(np.unique(y))), "runs": runs}
    for key in ("NMI", "F1", "inertia"):
        for n_init in (1, 10):
            values = [r[key] for r in runs if r["n_init"] == n_init]
            spread[name][f"{key}_n_init{n_init}"] = [min(values), max(values)]
    print(name, {k: v for k, v in spread[name].items() if k != "runs"})
with open(os.path.join(HERE, "kmeans_sklearn_spread.json"), "w") as f:
    json.dump(spread, f, indent=1)
    f.write("\n")

# .npy reader cases: values 0.5 * i (exact in every dtype), shape (2, 3).
values = 0.5 * np.arange(6).reshape(2, 3)
np.save(os.path.join(HERE, "npy_float32.npy"), values.astype(np.float32))  # byte-compared with our writer
np.save(os.path.join(HERE, "npy_int64.npy"), np.arange(6, dtype=np.int64) - 2)
np.save(os.path.join(HERE, "npy_float64.npy"), values.astype(np.float64))
np.save(os.path.join(HERE, "npy_int32.npy"), np.arange(6, dtype=np.int32).reshape(2, 3) - 2)
np.save(os.path.join(HERE, "npy_fortran.npy"), np.asfortranarray(values.astype(np.float32)))
np.save(os.path.join(HERE, "npy_big_endian.npy"), values.astype(">f4"))
np.save(os.path.join(HERE, "npy_uint8.npy"), np.arange(6, dtype=np.uint8))
with open(os.path.join(HERE, "npy_version2.npy"), "wb") as f:
    np.lib.format.write_array(f, values.astype(np.float32), version=(2, 0))
print(json.dumps(expected, indent=2))
