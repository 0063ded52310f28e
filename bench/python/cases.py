#!/usr/bin/python3
"""The Python side of neurorep's benchmark: the same computations with numpy / scikit-learn / h5py,
as a scientist would write them. Usage: cases.py CASE ARGS... ; prints one JSON line of results.

  dimension X.npy                 exp(entropy) of PCA().fit(X).explained_variance_ratio_
  dimension-eigh X.npy            the same from numpy's covariance (or Gram) and eigvalsh
  complexity X.npy Y.npy          OBSERVABLES section 2 (scikit-learn KMeans, numpy ridge)
  patterns X.npy                  OBSERVABLES section 3 with numpy
  network ACTS.npz                every layer's spectrum (covariance or Gram, whichever is smaller,
                                  numpy eigvalsh) and its D_eff, as a user would check a network
  eigen S.npy                     numpy.linalg.eigvalsh (LAPACK dsyevd) of a symmetric matrix, timed
                                  in the process: the first call and the median of three more
  blas                            which BLAS numpy runs, and its kernel (threadpoolctl)
  nwb FILE.nwb                    spike counts in [start, start + 0.25) per unit and trial (h5py),
                                  then D_eff of the trials x units matrix
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures"))


def d_eff(p):
    p = p[p > 1e-12 * p.max()]
    p = p / p.sum()
    return float(np.exp(-(p * np.log(p)).sum()))


def dimension(path):
    from sklearn.decomposition import PCA
    x = np.load(path).astype(np.float64)
    x = x.reshape(x.shape[0], -1)
    return {"effectiveDimension": d_eff(PCA().fit(x).explained_variance_ratio_)}


def dimension_eigh(path):
    x = np.load(path).astype(np.float64)
    x = x.reshape(x.shape[0], -1)
    x -= x.mean(0)
    c = x.T @ x if x.shape[1] <= x.shape[0] else x @ x.T
    return {"effectiveDimension": d_eff(np.linalg.eigvalsh(c))}


def complexity(xp, yp):
    from make_complexity_fixtures import complexity as ref
    x = np.load(xp).astype(np.float64)
    y = np.load(yp).astype(np.float64)
    folds = np.random.default_rng(0).permutation(np.arange(x.shape[0]) % 5)
    r = ref(x, y, folds)
    return {"complexity": r["complexity"], "kStar": r["kStar"]}


def patterns(path, subsets=20, seed=0):
    x = np.load(path).astype(np.float64)
    x = x.reshape(x.shape[0], -1)
    n, d = x.shape
    b = x > 0
    q = b.mean(0)
    switching = float(((q >= 0.05) & (q <= 0.95)).mean())
    rng = np.random.default_rng(seed)

    def h(v):
        v = v[(v > 0) & (v < 1)]
        return float(-(v * np.log(v) + (1 - v) * np.log(1 - v)).sum())

    curve = []
    k = 1
    while k <= d and 2 ** k <= n:
        s = si = 0.0
        for _ in range(subsets):
            cols = rng.choice(d, size=k, replace=False)
            codes = (b[:, cols] * (1 << np.arange(k))).sum(1)
            _, counts = np.unique(codes, return_counts=True)
            p = counts / n
            s += float(-(p * np.log(p)).sum()) + (len(counts) - 1) / (2 * n)
            si += h(q[cols])
        curve.append({"k": k, "entropy": s / subsets, "multiInformation": (si - s) / subsets})
        k *= 2
    packed = np.packbits(b, axis=1)
    _, counts = np.unique(packed, axis=0, return_counts=True)
    p = counts / n
    return {"switchingFraction": switching, "entropyAll": float(-(p * np.log(p)).sum()), "curve": curve}


def network(path):
    out = []
    with np.load(path) as z:
        for name in z.files:
            if name in ("input", "labels", "stimulus_ids"):
                continue
            x = z[name].astype(np.float64)
            x = x.reshape(x.shape[0], -1)
            x -= x.mean(0)
            c = x.T @ x if x.shape[1] <= x.shape[0] else x @ x.T
            out.append({"name": name, "effectiveDimension": d_eff(np.linalg.eigvalsh(c))})
    return {"layers": out}


def nwb(path):
    """What `neurorep analyze` does without --stimulus: counts per unit and trial, units grouped
    by electrode location, then per group D_eff (covariance spectrum) and activation patterns."""
    import h5py
    with h5py.File(path, "r") as f:
        start = f["intervals/trials/start_time"][:]
        idx = f["units/spike_times_index"][:].astype(np.int64)
        st = f["units/spike_times"]
        counts = np.zeros((len(start), len(idx)))
        lo = 0
        for u, hi in enumerate(idx):
            s = np.sort(st[lo:hi])
            counts[:, u] = np.searchsorted(s, start + 0.25) - np.searchsorted(s, start)
            lo = hi
        el = f["units/electrodes"][:]
        loc = [v.decode() if isinstance(v, bytes) else str(v) for v in f["general/extracellular_ephys/electrodes/location"][:]]
    groups = {}
    for u, e in enumerate(el):
        groups.setdefault(loc[e], []).append(u)
    out = []
    for name, units in groups.items():
        x = counts[:, units] - counts[:, units].mean(0)
        tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"), "neurorep-bench-group.npy")
        np.save(tmp, counts[:, units])
        out.append({"name": name, "effectiveDimension": d_eff(np.linalg.eigvalsh(x.T @ x)), "switchingFraction": patterns(tmp)["switchingFraction"]})
    return {"groups": out, "trials": int(len(start)), "units": int(len(idx))}


def eigen(path):
    import time
    s = np.load(path)
    times = []
    for _ in range(4):
        t = time.perf_counter()
        w = np.linalg.eigvalsh(s)
        times.append(time.perf_counter() - t)
    return {"first": times[0], "warm": float(np.median(times[1:])), "largest": float(w[-1]), "smallest": float(w[0])}


def blas():
    from threadpoolctl import threadpool_info
    return [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for i in threadpool_info()]


if __name__ == "__main__":
    case, *args = sys.argv[1:]
    fn = {"dimension": dimension, "dimension-eigh": dimension_eigh, "complexity": complexity, "patterns": patterns, "network": network, "nwb": nwb, "eigen": eigen, "blas": blas}[case]
    print(json.dumps(fn(*args)))
