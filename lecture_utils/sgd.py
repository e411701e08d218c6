"""Stochastic (mini-batch) gradient descent: a seeded sampler, the lecture's gradient estimate, and the loop.

Used by notebook 05. The risk is a sum L(w) = sum_i L_i(w) over n examples,
given to these functions as ``per_example_grad(w, indices)``, which returns
the gradients grad L_i(w) for i in ``indices`` stacked along axis -2. The
cost of a run is counted in per-example gradient evaluations: a mini-batch
step spends |B| of them, a full-batch step spends n, so "equal work" means an
equal count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence, Union

import numpy as np

from ._validation import as_float_array, check_callable, check_int
from .schedules import StepSize, as_schedule

DIVERGENCE_FACTOR = 1e8  # an SGD run has diverged once |w_k| > 1e8 · max(1, |w_0|), or w_k is not finite

PerExampleGrad = Callable[[np.ndarray, np.ndarray], np.ndarray]
SeedLike = Union[int, np.random.Generator]


def _check_n(n: int) -> int:
    n = check_int("n", n)
    if n < 1:
        raise ValueError(f"n must be >= 1: the data set is empty (n = {n})")
    return n


def _check_batch_size(batch_size: int, n: int) -> int:
    batch_size = check_int("batch_size", batch_size)
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and n = {n}, got {batch_size}")
    return batch_size


def _divergence_limit(w0: np.ndarray) -> float:
    """The norm past which a run started at w0 counts as diverged (``DIVERGENCE_FACTOR``)."""
    return DIVERGENCE_FACTOR * max(1.0, float(np.linalg.norm(w0)))


def _generator(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int("seed", seed, minimum=0))


class MiniBatchSampler:
    """Seeded mini-batches of example indices 0 .. n-1, without replacement.

    Each epoch draws one random permutation and walks it in consecutive
    slices of ``batch_size``: every example is used exactly once per epoch
    (the last batch is smaller when ``batch_size`` does not divide n).
    """

    def __init__(self, n: int, batch_size: int = 32, *, seed: SeedLike = 0) -> None:
        self.n = _check_n(n)
        self.batch_size = _check_batch_size(batch_size, self.n)
        self.rng = _generator(seed)
        self.epochs_started = 0

    @property
    def batches_per_epoch(self) -> int:
        """How many batches one epoch has: ceil(n / batch_size)."""
        return -(-self.n // self.batch_size)

    def epoch(self) -> list[np.ndarray]:
        """The batches of one new epoch: a partition of 0 .. n-1 in random order."""
        self.epochs_started += 1
        order = self.rng.permutation(self.n)
        return [order[i:i + self.batch_size] for i in range(0, self.n, self.batch_size)]

    def __iter__(self) -> Iterator[np.ndarray]:
        """An endless stream of batches, epoch after epoch."""
        while True:
            yield from self.epoch()


def minibatch_gradient(per_example_grad: PerExampleGrad, w: np.ndarray, batch_indices: np.ndarray,
                       n: int) -> np.ndarray:
    """The lecture's estimate of grad L(w): (|D| / |B|) * sum over i in B of grad L_i(w).

    ``batch_indices`` of shape (B,) estimates at one point w; of shape (S, B)
    with w of shape (S, d) it estimates at S points at once (the sum runs over
    axis -2 of what ``per_example_grad`` returns).
    """
    n = _check_n(n)
    idx = np.asarray(batch_indices)
    if idx.ndim == 0 or idx.shape[-1] == 0:
        raise ValueError(f"batch_indices must hold at least one index, got shape {idx.shape}")
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"batch_indices must be integers, got dtype {idx.dtype}")
    grads = np.asarray(per_example_grad(w, idx), dtype=float)
    if grads.shape[:-1] != idx.shape:
        raise ValueError(f"per_example_grad must return shape {idx.shape} + (d,), got shape {grads.shape}")
    return (n / idx.shape[-1]) * grads.sum(axis=-2)


@dataclass(frozen=True)
class SGDResult:
    """The record of one SGD run.

    ``iterates`` (K + 1, d): w_0 .. w_K; ``step_sizes`` (K,): gamma_k used at
    global step k; ``evaluations`` (K + 1,): per-example gradients spent
    before each iterate (0, |B_0|, |B_0| + |B_1|, ...). The full-data loss
    was measured at iterates ``loss_steps`` with values ``loss_values``
    (those evaluations are not counted: they only watch the run).
    """

    iterates: np.ndarray
    step_sizes: np.ndarray
    evaluations: np.ndarray
    loss_steps: np.ndarray
    loss_values: np.ndarray
    batch_size: int
    n: int
    stop_reason: str = "max_steps"

    @property
    def num_steps(self) -> int:
        """How many steps were taken (K)."""
        return len(self.iterates) - 1

    @property
    def final(self) -> np.ndarray:
        """The last iterate w_K."""
        return self.iterates[-1]

    @property
    def diverged(self) -> bool:
        """True when the run stopped because the iterates blew up."""
        return self.stop_reason == "diverged"

    @property
    def epochs(self) -> float:
        """Work done, in passes over the data (evaluations / n)."""
        return float(self.evaluations[-1] / self.n)

    @property
    def loss_evaluations(self) -> np.ndarray:
        """The per-example-gradient count at each recorded full-data loss."""
        return self.evaluations[self.loss_steps]


def _steps_for(num_epochs: Optional[int], num_steps: Optional[int], n: int, batch_size: int) -> int:
    if (num_epochs is None) == (num_steps is None):
        raise ValueError("give exactly one of num_epochs and num_steps")
    if num_steps is not None:
        return check_int("num_steps", num_steps, minimum=0)
    epochs = check_int("num_epochs", num_epochs, minimum=0)
    return epochs * int(np.ceil(n / batch_size))


def sgd(
    per_example_grad: PerExampleGrad,
    w0: Union[Sequence[float], np.ndarray],
    n: int,
    step_size: StepSize,
    batch_size: int = 32,
    *,
    num_epochs: Optional[int] = None,
    num_steps: Optional[int] = None,
    seed: SeedLike = 0,
    loss: Optional[Callable[[np.ndarray], float]] = None,
    record_every: Optional[int] = None,
) -> SGDResult:
    """Mini-batch SGD: w_{k+1} = w_k - gamma_k * (n/|B_k|) sum_{i in B_k} grad L_i(w_k).

    The schedule is evaluated at the global step k (it never restarts at an
    epoch boundary). Give the length as ``num_epochs`` (passes over the data)
    or ``num_steps``. With ``loss`` (the full-data L), it is recorded at w_0,
    every ``record_every`` steps (default: once per epoch) and at the end.
    A run whose iterates turn non-finite or grow past ``DIVERGENCE_FACTOR``
    times max(1, |w_0|) stops early with ``stop_reason == "diverged"``,
    without overflow warnings.
    """
    check_callable("per_example_grad", per_example_grad, "(w, indices) -> gradients")
    check_callable("loss", loss, "w -> full-data loss", optional=True)
    w = as_float_array("w0", w0, ndim=1)
    if w.size == 0:
        raise ValueError("w0 must hold at least one parameter, got shape (0,)")
    n = _check_n(n)
    batch_size = _check_batch_size(batch_size, n)
    limit = _divergence_limit(w)
    total = _steps_for(num_epochs, num_steps, n, batch_size)
    gammas = as_schedule(step_size).values(total)
    per_epoch = int(np.ceil(n / batch_size))
    every = per_epoch if record_every is None else check_int("record_every", record_every, minimum=1)
    batches = iter(MiniBatchSampler(n, batch_size, seed=seed))

    iterates = np.empty((total + 1, w.size))
    iterates[0] = w
    spent = np.zeros(total + 1, dtype=np.int64)
    loss_steps: list[int] = []
    loss_values: list[float] = []
    if loss is not None:
        loss_steps.append(0)
        loss_values.append(float(loss(w)))
    stop_reason = "max_steps"
    k = 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(total):
            batch = next(batches)
            g = minibatch_gradient(per_example_grad, w, batch, n)
            if g.shape != w.shape:
                raise ValueError(f"per_example_grad must return gradients of shape {w.shape}, got {g.shape[-1:]}")
            w = w - gammas[k] * g
            spent[k + 1] = spent[k] + len(batch)
            if not np.all(np.isfinite(w)) or float(np.linalg.norm(w)) > limit:
                stop_reason = "diverged"
                k -= 1
                break
            iterates[k + 1] = w
            if loss is not None and ((k + 1) % every == 0 or k + 1 == total):
                loss_steps.append(k + 1)
                loss_values.append(float(loss(w)))
        taken = k + 1 if total else 0
    return SGDResult(
        iterates=iterates[:taken + 1].copy(),
        step_sizes=np.asarray(gammas[:taken]),
        evaluations=spent[:taken + 1].copy(),
        loss_steps=np.array(loss_steps, dtype=int),
        loss_values=np.array(loss_values, dtype=float),
        batch_size=batch_size,
        n=n,
        stop_reason=stop_reason,
    )


def sgd_final_iterates(
    per_example_grad: PerExampleGrad,
    w0: Union[Sequence[float], np.ndarray],
    n: int,
    step_size: StepSize,
    batch_size: int,
    num_epochs: int,
    seeds: Sequence[int],
) -> np.ndarray:
    """The last iterate of ``sgd`` for every seed, run side by side: shape (S, d).

    Same batches (one ``MiniBatchSampler`` per seed) and steps as
    ``sgd(..., seed=s)`` for each s, but one vectorised step for all seeds:
    ``per_example_grad`` must accept w of shape (S, d) with indices (S, B) and
    return (S, B, d). Runs that diverge (the rule of ``sgd``, checked after
    every epoch) come back as NaN rows.
    """
    w = as_float_array("w0", w0, ndim=1)
    n = _check_n(n)
    batch_size = _check_batch_size(batch_size, n)
    seeds = [check_int("seeds[...]", s, minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    total = _steps_for(num_epochs, None, n, batch_size)
    gammas = as_schedule(step_size).values(total)
    samplers = [MiniBatchSampler(n, batch_size, seed=s) for s in seeds]
    limit = _divergence_limit(w)
    W = np.tile(w, (len(seeds), 1))
    k = 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for _ in range(num_epochs):
            epochs = [sampler.epoch() for sampler in samplers]
            for batches in zip(*epochs):  # batch j of every seed's epoch
                W = W - gammas[k] * minibatch_gradient(per_example_grad, W, np.stack(batches), n)
                k += 1
            W[~np.all(np.isfinite(W), axis=1)] = np.nan
            W[np.linalg.norm(np.nan_to_num(W, nan=0.0), axis=1) > limit] = np.nan
    return W


def sgd_paths(
    per_example_grad: PerExampleGrad,
    w0: Union[Sequence[float], np.ndarray],
    n: int,
    step_size: StepSize,
    batch_size: int,
    num_steps: int,
    seeds: Sequence[int],
) -> np.ndarray:
    """Every iterate of ``sgd(..., num_steps=num_steps, seed=s)`` for every seed, run side by side: (S, K + 1, d).

    The same batches and steps as ``sgd`` (one ``MiniBatchSampler`` per seed,
    the schedule at the global step k), with ``per_example_grad`` vectorised
    as for ``sgd_final_iterates``. A run that diverges becomes NaN from the
    step where it blew up.
    """
    w = as_float_array("w0", w0, ndim=1)
    n = _check_n(n)
    batch_size = _check_batch_size(batch_size, n)
    total = check_int("num_steps", num_steps, minimum=0)
    seeds = [check_int("seeds[...]", s, minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    gammas = as_schedule(step_size).values(total)
    streams = [iter(MiniBatchSampler(n, batch_size, seed=s)) for s in seeds]
    limit = _divergence_limit(w)
    paths = np.empty((len(seeds), total + 1, w.size))  # (S, K + 1, d)
    paths[:, 0] = w
    W = paths[:, 0].copy()  # (S, d)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(total):
            batches = np.stack([next(stream) for stream in streams])  # (S, B): batch k of every seed
            W = W - gammas[k] * minibatch_gradient(per_example_grad, W, batches, n)
            W[np.linalg.norm(np.nan_to_num(W, nan=np.inf), axis=1) > limit] = np.nan
            paths[:, k + 1] = W
    return paths


def constant_step_paths(
    grad: Callable[[np.ndarray], np.ndarray],
    w0: Union[Sequence[float], np.ndarray],
    step_sizes: Union[Sequence[float], np.ndarray],
    num_steps: int,
) -> np.ndarray:
    """Full-batch gradient descent with each constant step size gamma_j, run side by side: shape (G, K + 1, d).

    Row j is w_0, w_1, ... with w_{k+1} = w_k - gamma_j grad(w_k); ``grad`` must
    accept a stack of points (G, d). A run that diverges (the rule of ``sgd``)
    becomes NaN from then on.
    """
    check_callable("grad", grad, "w -> gradient")
    w = as_float_array("w0", w0, ndim=1)
    gammas = as_float_array("step_sizes", step_sizes, ndim=1)
    if gammas.size == 0 or not np.all(np.isfinite(gammas)) or np.any(gammas <= 0):
        raise ValueError(f"step_sizes must be a non-empty array of positive numbers, got {gammas}")
    total = check_int("num_steps", num_steps, minimum=0)
    limit = _divergence_limit(w)
    paths = np.empty((gammas.size, total + 1, w.size))  # (G, K + 1, d)
    paths[:, 0] = w
    W = paths[:, 0].copy()  # (G, d)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(total):
            g = np.asarray(grad(W), dtype=float)  # (G, d)
            if g.shape != W.shape:
                raise ValueError(f"grad must map points of shape {W.shape} to gradients of that shape, got {g.shape}")
            W = W - gammas[:, None] * g
            W[np.linalg.norm(np.nan_to_num(W, nan=np.inf), axis=1) > limit] = np.nan
            paths[:, k + 1] = W
    return paths


def first_exit_steps(paths: np.ndarray, centre: Union[Sequence[float], np.ndarray], radius: float) -> np.ndarray:
    """For each path (..., K + 1, d): the first step k with ||w_k - centre|| > radius, or -1 if it never leaves."""
    try:
        paths = np.asarray(paths, dtype=float)  # NaN allowed: a diverged run (it counts as gone)
    except (TypeError, ValueError):
        raise TypeError(f"paths must be an array of iterates (..., K + 1, d), got {type(paths).__name__}") from None
    if paths.ndim < 2:
        raise ValueError(f"paths must have shape (..., K + 1, d), got shape {paths.shape}")
    c = as_float_array("centre", centre, ndim=1)
    if c.shape != paths.shape[-1:]:
        raise ValueError(f"centre must have shape {paths.shape[-1:]}, got shape {c.shape}")
    r = float(radius)
    if not np.isfinite(r) or r <= 0:
        raise ValueError(f"radius must be a positive number, got {radius!r}")
    distance = np.linalg.norm(np.nan_to_num(paths - c, nan=np.inf), axis=-1)  # (..., K + 1); NaN counts as gone
    outside = distance > r
    return np.where(outside.any(axis=-1), outside.argmax(axis=-1), -1)


def holdout_split(n: int, validation_fraction: float = 0.25, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(training, validation): a seeded random split of the indices 0 .. n-1, made once, both sorted."""
    n = _check_n(n)
    fraction = float(validation_fraction)
    if not 0 < fraction < 1:
        raise ValueError(f"validation_fraction must lie strictly between 0 and 1, got {validation_fraction!r}")
    n_val = int(round(fraction * n))
    if not 1 <= n_val <= n - 1:
        raise ValueError(f"validation_fraction = {fraction} of n = {n} leaves no example on one side")
    order = np.random.default_rng(check_int("seed", seed, minimum=0)).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def restrict_to(per_example_grad: PerExampleGrad, indices: Union[Sequence[int], np.ndarray]) -> PerExampleGrad:
    """The per-example gradients of a subset: example j of the result is example ``indices[j]`` of the data."""
    check_callable("per_example_grad", per_example_grad, "(w, indices) -> gradients")
    subset = np.asarray(indices)
    if subset.ndim != 1 or subset.size == 0 or not np.issubdtype(subset.dtype, np.integer):
        raise ValueError(f"indices must be a non-empty 1D array of integers, got shape {subset.shape} "
                         f"and dtype {subset.dtype}")

    def subset_grad(w: np.ndarray, batch: np.ndarray) -> np.ndarray:
        return per_example_grad(w, subset[np.asarray(batch)])

    return subset_grad


@dataclass(frozen=True)
class StepSizeSearch:
    """SGD trained on one fixed training set for every gamma_0 and seed, scored on held-out data.

    ``train_loss`` and ``validation_loss`` (G, S): the mean per-example loss of
    the last iterate on the training and on the validation examples (NaN for
    a diverged run), for step size ``gamma0s[g]`` and seed ``seeds[s]``.
    """

    gamma0s: np.ndarray
    seeds: np.ndarray
    train_loss: np.ndarray
    validation_loss: np.ndarray
    n_train: int
    n_validation: int

    @property
    def best(self) -> float:
        """The gamma_0 with the lowest mean validation loss over the seeds (diverged runs count as infinite)."""
        score = np.nan_to_num(self.validation_loss, nan=np.inf).mean(axis=1)
        return float(self.gamma0s[int(np.argmin(score))])


def step_size_search(
    per_example_grad: PerExampleGrad,
    per_example_loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    w0: Union[Sequence[float], np.ndarray],
    train: Union[Sequence[int], np.ndarray],
    validation: Union[Sequence[int], np.ndarray],
    gamma0s: Union[Sequence[float], np.ndarray],
    decay: float,
    batch_size: int,
    num_epochs: int,
    seeds: Sequence[int],
) -> StepSizeSearch:
    """Tune gamma_0 of gamma_k = gamma_0 / (1 + decay k) on held-out data: train on ``train`` only, score on ``validation``.

    ``per_example_loss(W, indices)`` returns L_i at a stack of points W (S, d)
    for the examples ``indices`` (B,): shape (S, B). The validation examples
    are never seen by SGD; they only score its last iterates.
    """
    from .schedules import InverseTimeDecay

    check_callable("per_example_loss", per_example_loss, "(w, indices) -> losses")
    train_idx, val_idx = np.asarray(train), np.asarray(validation)
    for name, idx in (("train", train_idx), ("validation", val_idx)):
        if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"{name} must be a non-empty 1D array of example indices, got shape {idx.shape}")
    if np.intersect1d(train_idx, val_idx).size:
        raise ValueError("train and validation must not share examples: held-out data must stay unseen")
    g0 = as_float_array("gamma0s", gamma0s, ndim=1)
    if g0.size == 0:
        raise ValueError("gamma0s must hold at least one step size")
    seeds = [check_int("seeds[...]", s, minimum=0) for s in seeds]
    grad_train = restrict_to(per_example_grad, train_idx)
    train_loss = np.empty((g0.size, len(seeds)))
    validation_loss = np.empty((g0.size, len(seeds)))
    for j, gamma0 in enumerate(g0):
        finals = sgd_final_iterates(grad_train, w0, train_idx.size, InverseTimeDecay(float(gamma0), decay),
                                    batch_size, num_epochs, seeds)  # (S, d), NaN rows for diverged runs
        with np.errstate(invalid="ignore"):
            train_loss[j] = np.asarray(per_example_loss(finals, train_idx)).mean(axis=-1)
            validation_loss[j] = np.asarray(per_example_loss(finals, val_idx)).mean(axis=-1)
    return StepSizeSearch(g0, np.array(seeds), train_loss, validation_loss, int(train_idx.size), int(val_idx.size))
