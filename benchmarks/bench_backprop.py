"""Backprop: ``network.loss_and_gradients`` (forward + backward, float64) against PyTorch, a tuned kernel and a floor.

For each activation in ``ACTIVATIONS`` (ReLU, which the course uses, and tanh, the smooth one
notebooks 03 and 06 also use) and every shape n x p x m in {256, 4096, 65536} x {10, 100} x {16, 64, 256},
these are timed in round-robin order, each sample a batch of consecutive calls
of one candidate lasting about 2 ms (``BATCH_S``; at least one call) after one untimed call,
so that each runs with its own data in the caches as it would in a training loop, and load
spikes hit all alike:

- ``numpy``: ``lecture_utils.network.loss_and_gradients(X, Y, Theta, beta, activation)``,
  argument checks included (what a notebook calls): the lecture's equations, one per line;
- ``torch``: the same network with PyTorch CPU autograd, float64, one thread:
  ``((g(X @ Theta.T) @ beta - Y) ** 2).sum().backward()``; None when torch is absent
  (it is optional and never a dependency of the project);
- ``numpy_unchecked``: the same plain pass without the argument checks (``network._loss_and_gradients``),
  to show what validating the inputs costs;
- ``tuned``: ``tuned_backprop.tuned_loss_and_gradients``, the cache-blocked in-place kernel kept
  here as an exhibit of what tuning buys (and what it costs to read);
- ``floor``: the three matrix products no pass can avoid,
  P = X Thetaᵀ (n x p x m), Ŷ = A beta and dTheta = deltaᵀ X (m x n x p), on ready-made inputs;
- ``activation``: g alone over the (n, m) array P. At p = 10, tanh costs as much as
  the products, so no tanh pass can come near the products-only floor there
  (``geomean_floor_and_activation_vs_floor`` is that bound: products + g, and nothing else).

Ratios: ``vs_torch`` = torch time / numpy time (above 1: numpy is faster; the target for the
readable pass is above 0.5, within 2x of autograd, at the notebooks' sizes);
``tuned_speedup`` = unchecked plain time / tuned time (what the tricks buy);
``vs_floor`` = numpy time / floor time (1 would be nothing but the products);
``vs_floor_and_activation`` = numpy time / (floor + activation) time.
Threads are pinned to one on both sides (run.py sets OPENBLAS_NUM_THREADS & co.
before numpy is imported; torch.set_num_threads(1) here).
"""

from __future__ import annotations

import math
from itertools import product
from typing import Callable, Optional

import numpy as np

from .timing import interleaved, ratio, timed
from .tuned_backprop import tuned_loss_and_gradients

NS = (256, 4096, 65536)
PS = (10, 100)
MS = (16, 64, 256)
NOTEBOOK_SHAPES = ((3, 2, 4), (13, 3, 4), (40, 2, 8), (40, 2, 32))  # n x p x m of notebooks 03, 04 and 06
ACTIVATIONS = ("relu", "tanh")  # the course's activation, and the smooth one notebooks 03 and 06 also use
BATCH_S = 0.002  # one timed sample: consecutive calls of one candidate, about 2 ms in all


def _torch():
    """The torch module pinned to one thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def make_problem(n: int, p: int, m: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Seeded X (n, p), Y (n,), Theta (m, p), beta (m,) in float64, scaled so P = X Thetaᵀ is of order 1 (tanh not saturated)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = rng.standard_normal(n)
    Theta = rng.standard_normal((m, p)) / np.sqrt(p)
    beta = rng.standard_normal(m) / np.sqrt(m)
    return X, Y, Theta, beta


def numpy_pass(X, Y, Theta, beta, activation: str = "tanh") -> Callable[[], object]:
    """The project's forward + backward pass as a no-argument callable."""
    from lecture_utils.network import loss_and_gradients

    return lambda: loss_and_gradients(X, Y, Theta, beta, activation)


def torch_pass(torch, X, Y, Theta, beta, activation: str = "tanh") -> Callable[[], object]:
    """The same network in PyTorch autograd (float64): loss, then backward for dTheta and dbeta."""
    g = getattr(torch, activation)  # torch.relu, torch.tanh, torch.sigmoid
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    Theta_t = torch.from_numpy(Theta.copy()).requires_grad_(True)
    beta_t = torch.from_numpy(beta.copy()).requires_grad_(True)

    def step():
        Theta_t.grad = beta_t.grad = None
        loss = ((g(Xt @ Theta_t.T) @ beta_t - Yt) ** 2).sum()
        loss.backward()
        return loss.item(), Theta_t.grad, beta_t.grad

    return step


def core_pass(X, Y, Theta, beta, activation: str = "tanh") -> Callable[[], object]:
    """The same plain pass without the argument checks (``network._loss_and_gradients``)."""
    from lecture_utils import network
    from lecture_utils.activations import get_activation

    g = get_activation(activation)
    return lambda: network._loss_and_gradients(X, Y, Theta, beta, g)


def tuned_pass(X, Y, Theta, beta, activation: str = "tanh") -> Callable[[], object]:
    """The cache-blocked in-place kernel of ``tuned_backprop`` (no argument checks either)."""
    return lambda: tuned_loss_and_gradients(X, Y, Theta, beta, activation)


def floor_pass(X, Theta, beta) -> Callable[[], object]:
    """Only the three unavoidable products X Thetaᵀ, A beta and deltaᵀ X (A and delta made beforehand)."""
    A = np.tanh(X @ Theta.T)  # (n, m)
    delta = A.copy()
    return lambda: (X @ Theta.T, A @ beta, delta.T @ X)


def activation_pass(X, Theta, activation: str = "tanh") -> Callable[[], object]:
    """Only the activation g over the (n, m) array P (the one element-wise step no pass can skip)."""
    from lecture_utils.activations import get_activation

    g = get_activation(activation)
    P = X @ Theta.T
    return lambda: g.g(P)


def check_agreement(torch, X, Y, Theta, beta, activation: str = "tanh") -> float:
    """Largest relative difference between the project's gradients and torch's (a sanity check, not timed)."""
    from lecture_utils.network import loss_and_gradients

    loss, dTheta, dbeta = loss_and_gradients(X, Y, Theta, beta, activation)
    t_loss, t_dTheta, t_dbeta = torch_pass(torch, X, Y, Theta, beta, activation)()
    worst = 0.0
    for mine, theirs in ((np.array(loss), np.array(t_loss)), (dTheta, t_dTheta.numpy()), (dbeta, t_dbeta.numpy())):
        worst = max(worst, float(np.max(np.abs(mine - theirs)) / (np.max(np.abs(theirs)) + 1e-300)))
    return worst


def time_shape(n: int, p: int, m: int, torch, budget_s: float = 0.6, min_repeats: int = 5,
               max_repeats: int = 100, batch_s: float = BATCH_S, activation: str = "tanh") -> dict:
    """Median seconds per call of numpy / torch / floor on one shape, in interleaved batches of about ``batch_s``."""
    X, Y, Theta, beta = make_problem(n, p, m)
    candidates = {"numpy": numpy_pass(X, Y, Theta, beta, activation), "floor": floor_pass(X, Theta, beta),
                  "activation": activation_pass(X, Theta, activation),
                  "numpy_unchecked": core_pass(X, Y, Theta, beta, activation),
                  "tuned": tuned_pass(X, Y, Theta, beta, activation)}
    if torch is not None:
        candidates["torch"] = torch_pass(torch, X, Y, Theta, beta, activation)
    one_call = {}
    for name, fn in candidates.items():  # a warm-up call, then one timed call to size the batches
        fn()
        one_call[name] = timed(fn)
    calls = {name: max(1, round(batch_s / max(seconds, 1e-7))) for name, seconds in one_call.items()}
    longest = max(max(batch_s, seconds) for seconds in one_call.values())
    repeats = int(min(max_repeats, max(min_repeats, math.ceil(budget_s / longest))))
    times = interleaved(candidates, repeats, calls)
    ms = {name: float(np.median(t)) * 1e3 for name, t in times.items()}
    torch_ms: Optional[float] = ms.get("torch")
    return {
        "n": n, "p": p, "m": m, "repeats": repeats, "calls_per_sample": calls["numpy"],
        "numpy_ms": round(ms["numpy"], 3),
        "torch_ms": None if torch_ms is None else round(torch_ms, 3),
        "floor_ms": round(ms["floor"], 3),
        "activation_ms": round(ms["activation"], 3),
        "numpy_unchecked_ms": round(ms["numpy_unchecked"], 3),
        "tuned_ms": round(ms["tuned"], 3),
        "tuned_speedup": ratio(ms["numpy_unchecked"], ms["tuned"]),
        "vs_torch": None if torch_ms is None else ratio(torch_ms, ms["numpy"]),
        "vs_floor": ratio(ms["numpy"], ms["floor"]),
        "vs_floor_and_activation": ratio(ms["numpy"], ms["floor"] + ms["activation"]),
    }


def geometric_mean(values: list[float]) -> Optional[float]:
    """Geometric mean rounded to 2 decimals (None for an empty list)."""
    values = [v for v in values if v]
    return round(float(np.exp(np.mean(np.log(values)))), 2) if values else None


def summarize_shapes(activation: str, shapes: list[dict]) -> dict:
    """One activation's summary: geometric-mean and worst ratios against torch and the floor, then every shape."""
    vs_torch = [s["vs_torch"] for s in shapes if s["vs_torch"] is not None]
    vs_floor_and_activation = [s["vs_floor_and_activation"] for s in shapes]
    worst_torch = min(shapes, key=lambda s: s["vs_torch"]) if vs_torch else None
    worst_floor = max(shapes, key=lambda s: s["vs_floor"])
    unchecked_vs_torch = [s["torch_ms"] / s["numpy_unchecked_ms"] for s in shapes if s["torch_ms"] is not None]
    return {
        "activation": activation,
        "geomean_vs_torch": geometric_mean(vs_torch),
        "min_vs_torch": None if worst_torch is None else worst_torch["vs_torch"],
        "min_vs_torch_shape": None if worst_torch is None else shape_name(worst_torch),
        "geomean_vs_floor": geometric_mean([s["vs_floor"] for s in shapes]),
        "max_vs_floor": worst_floor["vs_floor"],
        "max_vs_floor_shape": shape_name(worst_floor),
        "geomean_vs_floor_and_activation": geometric_mean(vs_floor_and_activation),
        "max_vs_floor_and_activation": max(vs_floor_and_activation),
        # what the pass would cost if it did nothing but the products and g: the floor goal's own bound
        "geomean_floor_and_activation_vs_floor": geometric_mean(
            [(s["floor_ms"] + s["activation_ms"]) / s["floor_ms"] for s in shapes]),
        "unchecked_geomean_vs_torch": geometric_mean(unchecked_vs_torch),
        "unchecked_min_vs_torch": round(min(unchecked_vs_torch), 2) if unchecked_vs_torch else None,
        "unchecked_max_vs_floor": round(max(s["numpy_unchecked_ms"] / s["floor_ms"] for s in shapes), 2),
        "geomean_tuned_speedup": geometric_mean([s["tuned_speedup"] for s in shapes]),
        "max_tuned_speedup": max(s["tuned_speedup"] for s in shapes),
        "shapes": shapes,
    }


def shape_name(shape: dict) -> str:
    """'n x p x m' of one timed shape, e.g. '4096x10x64'."""
    return f"{shape['n']}x{shape['p']}x{shape['m']}"


def run(ns=NS, ps=PS, ms=MS, budget_s: float = 0.6, min_repeats: int = 5,
        activations: tuple[str, ...] = ACTIVATIONS, notebook_shapes=NOTEBOOK_SHAPES) -> dict:
    """Every shape for every activation; per activation, the geometric-mean and worst ratios against torch and the floor.

    The notebooks' own (tiny) shapes are timed too and summarised apart: ``notebook_min_vs_torch``.
    """
    torch = _torch()
    result: dict = {"threads": 1, "torch_version": None if torch is None else torch.__version__, "activations": {}}
    for activation in activations:
        shapes = [time_shape(n, p, m, torch, budget_s, min_repeats, activation=activation)
                  for n, p, m in product(ns, ps, ms)]
        summary = summarize_shapes(activation, shapes)
        small = [time_shape(n, p, m, torch, budget_s, min_repeats, activation=activation)
                 for n, p, m in notebook_shapes]
        summary["notebook_shapes"] = small
        summary["notebook_min_vs_torch"] = min((s["vs_torch"] for s in small if s["vs_torch"]), default=None)
        summary["agreement_with_torch"] = (None if torch is None else
                                           float(f"{check_agreement(torch, *make_problem(64, 5, 8), activation):.1e}"))
        result["activations"][activation] = summary
    return result
