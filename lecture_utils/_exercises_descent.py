"""Exercises of notebooks 01 (gradient descent in 1D), 02 (the Taylor derivation) and 05 (SGD).

The write-the-code checkers call the student's function on seeded inputs of
several shapes and compare with the library (``functions``, ``taylor``,
``schedules``, ``sgd``); typical bugs (sign, a missing factor 2, the step
instead of the new point, a schedule restarted at each epoch, a mean instead
of the |D|/|B| scaling) are recognised by name.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .functions import GRADIENT_PICTURE
from .schedules import ExponentialDecay, InverseTimeDecay
from .sgd import minibatch_gradient
from .taylor import lagrangian_step, trust_region_step
from ._exercise_core import (Exercise, NumberExercise, Part, call, call_same, diagnose_part, number_exercise,
                             require_callable, wrong)


def _function_checker(signature: str, trials: Callable[[], list[tuple[tuple, str]]], reference: Callable,
                      part: Callable[[tuple], Part], mutants: Callable[[tuple], list[tuple[str, Any]]],
                      passed: str, check_inputs_unchanged: bool = False) -> Callable[[Any], str]:
    """A checker that calls the answer on each trial's arguments and diagnoses its one returned array."""
    def checker(answer: Any) -> str:
        student = require_callable(answer, signature)
        for args, where in trials():
            expected = np.asarray(reference(*args), dtype=float)
            kept = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
            got = call(student, args, where) if not check_inputs_unchanged else call_same(student, kept, where)
            problem = diagnose_part(part(args), got, expected, [(t, np.asarray(v, dtype=float))
                                                                for t, v in mutants(args)])
            if problem:
                raise wrong(f"{problem} [called {where}]")
            if check_inputs_unchanged:
                for a, original in zip(kept, args):
                    if isinstance(a, np.ndarray) and not np.array_equal(a, original):
                        raise wrong("the result is right, but your function changed its input array w in place "
                                    f"(w -= ...): the caller's w^(k) is lost. Return a new array, w - gamma * grad(w) "
                                    f"[called {where}].")
        return passed
    return checker


# --- 01 --------------------------------------------------------------------------------------------

def _bowl_trials() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(101)
    points = [np.array([2.0, 1.5])] + [rng.uniform(-3, 3, 2) for _ in range(4)]
    return [((w,), f"at w = ({w[0]:.4g}, {w[1]:.4g})") for w in points]


def _reference_01_gradient(w: np.ndarray) -> np.ndarray:
    """The gradient (2 w1, 4 w2) of f(w) = w1^2 + 2 w2^2."""
    return GRADIENT_PICTURE.grad(np.asarray(w, dtype=float))


def _bowl_mutants(args: tuple) -> list[tuple[str, Any]]:
    w = np.asarray(args[0], dtype=float)
    return [("the coefficients are swapped: df/dw1 = 2 w1 comes from w1^2 and df/dw2 = 4 w2 from 2 w2^2.",
             np.array([4 * w[0], 2 * w[1]])),
            ("the factor 2 of each square is missing: d(w1^2)/dw1 = 2 w1, d(2 w2^2)/dw2 = 4 w2.",
             np.array([w[0], 2 * w[1]])),
            ("the gradient is the vector of partial derivatives, not the coefficients times w squared.",
             np.array([w[0] ** 2, 2 * w[1] ** 2]))]


def _step_trials() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(102)
    out = [((np.array([23.0]), 0.1, lambda w: 2 * (w - 6)), "with f(w) = (w - 6)^2, w = [23.], gamma = 0.1")]
    for gamma in (0.05, 0.3):
        w = rng.uniform(-2, 2, 2)
        out.append(((w, gamma, GRADIENT_PICTURE.grad),
                    f"with f(w) = w1^2 + 2 w2^2, w = ({w[0]:.4g}, {w[1]:.4g}), gamma = {gamma}"))
    return out


def _step_mutants(args: tuple) -> list[tuple[str, Any]]:
    w, gamma, grad = args
    g = grad(w)
    return [("it steps uphill: the update subtracts, w - gamma * grad(w).", w + gamma * g),
            ("you returned the step gamma * grad(w), not the new point w - gamma * grad(w).", gamma * g),
            ("you returned minus the step; add it to w: w - gamma * grad(w).", -gamma * g),
            ("the step size gamma is missing: w - gamma * grad(w).", w - g)]


def _reference_01_descent_step(w: np.ndarray, gamma: float, grad: Callable) -> np.ndarray:
    """One gradient-descent step w - gamma grad(w)."""
    return np.asarray(w, dtype=float) - gamma * np.asarray(grad(w), dtype=float)


def _schedule_trials() -> list[tuple[tuple, str]]:
    return [((k, g0, r), f"at k = {k} with gamma0 = {g0}, rate = {r}")
            for g0, r in ((0.9, 0.9), (1.05, 0.5)) for k in (0, 1, 2, 7)]


def _reference_01_schedule(k: int, gamma0: float, rate: float) -> float:
    """gamma_k = gamma0 rate^k."""
    return float(ExponentialDecay(gamma0, rate)(k))


def _schedule_mutants(args: tuple) -> list[tuple[str, Any]]:
    k, g0, r = args
    return [("off by one: at k = 0 the step must be gamma0 itself, gamma0 * rate^0.", g0 * r ** (k + 1)),
            ("one step too early: gamma_k = gamma0 * rate^k, starting at k = 0.", g0 * r ** max(k - 1, 0)),
            ("that decays linearly; the exponential schedule multiplies by rate at every step: gamma0 * rate**k.",
             g0 * r * k),
            ("gamma0 and rate are swapped: gamma0 * rate**k.", r * g0 ** k)]


EX_01 = [
    number_exercise("01-first-step", "w1 from w0 = 23 with gamma = 0.75 on (w - 6)^2",
                    ("First compute the slope f'(w0) at the start, then take one step against it.",
                     "w1 = w0 - gamma f'(w0) with f'(w) = 2 (w - 6)."),
                    NumberExercise(-2.5, "One step is w^(1) = w^(0) - gamma f'(w^(0)); the slope at 23 is "
                                   "f'(23) = 2 (23 - 6) = 34, and gamma times that is subtracted from 23. (The closed form "
                                   "6 + 17 (1 - 2 gamma) gives the same.)", 1e-6,
                                   ((48.5, "the sign: that steps uphill (w^(0) + gamma f'(w^(0))); gradient descent "
                                     "subtracts."),
                                    (10.25, "the factor 2 of f'(w) = 2 (w - 6) is missing."),
                                    (25.5, "that is the step gamma f'(w^(0)) itself, not the new point w^(0) "
                                     "minus it."),
                                    (19.6, "that is the step for gamma = 0.1, the lecture's example; here "
                                     "gamma = 0.75."),
                                    (6.0, "that is the minimum; a single step only gets there for gamma = 0.5.")))),
    number_exercise("01-divergence-gamma", "the gamma above which gradient descent on (w - 6)^2 diverges",
                    ("Each step multiplies the distance to 6 by the same factor q; when does |q| exceed 1?",
                     "w_n - 6 = 17 (1 - 2 gamma)^n, so it diverges when |1 - 2 gamma| > 1."),
                    NumberExercise(1.0, "Each step multiplies w - 6 by q = 1 - 2 gamma (the 2 is the curvature "
                                   "f'' = 2); the iterates grow when |q| > 1, that is gamma > 2 / f''.", 1e-6,
                                   ((0.5, "at gamma = 0.5, q = 0: that is the one-step landing, not the edge of "
                                     "divergence; between 0.5 and the edge the iterates zig-zag in."),
                                    (2.0, "that would be the edge for curvature f'' = 1; here f'' = 2, so the edge is "
                                     "2 / f''."),
                                    (0.0, "every gamma between 0 and the edge converges.")))),
    Exercise("01-gradient", "the gradient of w1^2 + 2 w2^2", "code",
             ("Differentiate with respect to w1 and to w2 separately; each term depends on one coordinate only.",
              "grad f(w) = (2 w1, 4 w2): return np.array([2 * w[0], 4 * w[1]])."),
             _function_checker("(w) -> gradient of shape (2,)", _bowl_trials, _reference_01_gradient,
                               lambda args: Part("the gradient", "grad f(w) = (df/dw1, df/dw2).",
                                                 {"1/2": (0.5, "the factor 2 of each square is missing."),
                                                  "2": (2.0, "a factor 2 too many.")}),
                               _bowl_mutants, "right at five points, including the lecture's (2, 1.5) -> (4, 6)."),
             _reference_01_gradient, "(w) -> gradient"),
    Exercise("01-descent-step", "one gradient-descent step", "code",
             ("Call grad at the current point, scale it by the step size and move against it; return a new array.",
              "return w - gamma * grad(w)"),
             _function_checker("(w, gamma, grad) -> new w", _step_trials, _reference_01_descent_step,
                               lambda args: Part("the new point", "w^(k+1) = w^(k) - gamma grad f(w^(k)).",
                                                 {"1/2": (0.5, "a factor 2 is missing.")}),
                               _step_mutants, "w - gamma * grad(w), without changing the caller's w.",
                               check_inputs_unchanged=True),
             _reference_01_descent_step, "(w, gamma, grad) -> w"),
    Exercise("01-exponential-schedule", "the exponential decay schedule", "code",
             ("Step k = 0 uses gamma0 itself; every later step multiplies by the rate once more.",
              "return gamma0 * rate ** k"),
             _function_checker("(k, gamma0, rate) -> gamma_k", _schedule_trials, _reference_01_schedule,
                               lambda args: Part("gamma_k", "gamma_k = gamma0 * rate**k, with gamma_0 = gamma0."),
                               _schedule_mutants, "gamma0 * rate**k for k = 0, 1, 2, 7 and two settings."),
             _reference_01_schedule, "(k, gamma0, rate) -> gamma_k"),
]


# --- 02 ----------------------------------------------------------------------------------------------

def _lagrangian_trials() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(202)
    out = [((np.array(23.0), np.array(34.0), 5.0), "at w0 = 23 with f'(w0) = 34 and lam = 5")]
    for lam in (0.7, 2.0):
        w0, g = rng.uniform(-3, 3, 2), rng.uniform(-3, 3, 2)
        out.append(((w0, g, lam), f"at w0 = ({w0[0]:.4g}, {w0[1]:.4g}), grad = ({g[0]:.4g}, {g[1]:.4g}), lam = {lam}"))
    return out


def _reference_02_lagrangian(w0: np.ndarray, grad_w0: np.ndarray, lam: float) -> np.ndarray:
    """The minimiser w0 - grad / (2 lam) of the penalised linear model."""
    return lagrangian_step(w0, grad_w0, lam)


def _lagrangian_mutants(args: tuple) -> list[tuple[str, Any]]:
    w0, g, lam = args
    return [("the factor 2 from differentiating lam ||w - w0||^2 is missing: the step is grad / (2 lam), not "
             "grad / lam.", w0 - g / lam),
            ("the sign: setting grad L = grad f(w0) + 2 lam (w - w0) to zero gives w = w0 - grad / (2 lam).",
             w0 + g / (2 * lam)),
            ("lam must divide: a heavier penalty means a SHORTER step, w0 - grad / (2 lam).", w0 - 2 * lam * g),
            ("you returned the step -grad / (2 lam) without w0.", -g / (2 * lam))]


def _trust_trials() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(203)
    out = [((np.array([2.0, 1.5]), np.array([4.0, 6.0]), 0.5), "at w0 = (2, 1.5), grad = (4, 6), alpha = 0.5")]
    for alpha in (0.3, 1.5):
        w0, g = rng.uniform(-3, 3, 3), rng.uniform(-3, 3, 3)
        out.append(((w0, g, alpha), f"at a point of R^3 with alpha = {alpha}"))
    return out


def _reference_02_trust(w0: np.ndarray, grad_w0: np.ndarray, alpha: float) -> np.ndarray:
    """The minimiser w0 - alpha grad / ||grad|| of the linear model on the disc of radius alpha."""
    return trust_region_step(w0, grad_w0, alpha)


def _trust_mutants(args: tuple) -> list[tuple[str, Any]]:
    w0, g, alpha = args
    norm = np.linalg.norm(g)
    return [("the gradient is not normalised: the step must have length alpha exactly, alpha * grad / ||grad||.",
             w0 - alpha * g),
            ("divided by ||grad||^2 instead of ||grad||: the unit vector is grad / ||grad||.",
             w0 - alpha * g / norm ** 2),
            ("the sign: the lowest point of the linear model on the disc is against the gradient.",
             w0 + alpha * g / norm),
            ("you returned the step without w0.", -alpha * g / norm)]


EX_02 = [
    number_exercise("02-gamma-from-lambda", "the step size gamma for lam = 2",
                    ("Set the derivative of f(w0) + f'(w0)(w - w0) + lam (w - w0)^2 to zero and read off the factor "
                     "in front of f'(w0).",
                     "w1 = w0 - f'(w0) / (2 lam), so gamma = 1 / (2 lam)."),
                    NumberExercise(0.25, "The derivative of lam (w - w0)^2 is 2 lam (w - w0); setting "
                                   "f'(w0) + 2 lam (w - w0) = 0 gives the step f'(w0) / (2 lam).", 1e-6,
                                   ((0.5, "that is 1 / lam: the derivative of lam (w - w0)^2 brings down a factor 2."),
                                    (4.0, "that is 2 lam; gamma is its inverse, a heavy penalty makes a SHORT step."),
                                    (1.0, "that is lam / 2; gamma is 1 / (2 lam).")))),
    number_exercise("02-lagrangian-step", "w1 from w0 = 23 on (w - 6)^2 with lam = 2",
                    ("The penalised model's minimiser is a gradient step; which gamma goes with lam = 2?",
                     "w1 = w0 - f'(w0) / (2 lam) with f'(23) = 34."),
                    NumberExercise(14.5, "w1 = w0 - f'(w0) / (2 lam): the slope at 23 is 34 and 2 lam = 4.", 1e-6,
                                   ((31.5, "the sign: the minimiser lies downhill, w0 - f'(w0) / (2 lam)."),
                                    (6.0, "that uses 1 / lam as the step size (lam = 1 would land on 6); with lam = 2 "
                                     "the step is f'(w0) / 4."),
                                    (18.75, "the factor 2 of f'(w) = 2 (w - 6) is missing: f'(23) = 34.")))),
    number_exercise("02-best-lambda", "the lam that reaches the minimum of 3 (w - 1)^2 in one step",
                    ("With a quadratic, the penalised model can be made equal to f itself; compare the (w - w0)^2 "
                     "terms.",
                     "f(w) = f(w0) + f'(w0)(w - w0) + (f''/2)(w - w0)^2, so lam = f''/2."),
                    NumberExercise(3.0, "3 (w - 1)^2 has f'' = 6 everywhere; its exact Taylor expansion has "
                                   "(f''/2) (w - w0)^2, so the model equals f when lam = f''/2.", 1e-6,
                                   ((6.0, "that is f'' itself; the Taylor term is (f''/2) (w - w0)^2."),
                                    (1 / 6, "that is the step size gamma = 1 / f''; the question asks for lam = "
                                     "1 / (2 gamma)."),
                                    (1.0, "lam = 1 is the answer for (w - 6)^2, whose f'' is 2; here f'' = 6.")))),
    Exercise("02-lagrangian-code", "the Lagrangian (penalised) step", "code",
             ("The result has the shape of w0: w0 and grad_w0 may be numbers or vectors.",
              "return w0 - grad_w0 / (2 * lam)"),
             _function_checker("(w0, grad_w0, lam) -> w1", _lagrangian_trials, _reference_02_lagrangian,
                               lambda args: Part("w1", "w1 = w0 - grad f(w0) / (2 lam)."),
                               _lagrangian_mutants, "w0 - grad / (2 lam) in 1D and in 2D."),
             _reference_02_lagrangian, "(w0, grad_w0, lam) -> w1"),
    Exercise("02-trust-region-code", "the trust-region step", "code",
             ("Walk the whole radius alpha, in the direction of steepest descent: you need a UNIT vector.",
              "return w0 - alpha * grad_w0 / np.linalg.norm(grad_w0)"),
             _function_checker("(w0, grad_w0, alpha) -> w1", _trust_trials, _reference_02_trust,
                               lambda args: Part("w1", "w1 = w0 - alpha grad / ||grad||, at distance alpha from w0."),
                               _trust_mutants, "a step of length alpha against the gradient, in 2D and 3D."),
             _reference_02_trust, "(w0, grad_w0, alpha) -> w1"),
]


# --- 05 --------------------------------------------------------------------------------------------

def _per_example_grad_factory(targets: np.ndarray) -> Callable:
    """grad L_i(w) = w - x_i for L_i = ||w - x_i||^2 / 2, stacked along axis -2 like ``risk.per_example_grad``."""
    def per_example_grad(w: np.ndarray, indices: np.ndarray) -> np.ndarray:
        return np.asarray(w, dtype=float) - targets[np.asarray(indices)]
    return per_example_grad


def _minibatch_trials() -> list[tuple[tuple, str]]:
    rng = np.random.default_rng(505)
    out = []
    for n, d, b in ((40, 2, 8), (100, 3, 32), (17, 2, 5)):
        targets = rng.standard_normal((n, d))
        batch = rng.choice(n, size=b, replace=False)
        w = rng.standard_normal(d)
        out.append(((_per_example_grad_factory(targets), w, batch, n),
                    f"with n = {n} examples, |B| = {b}, w in R^{d}"))
    return out


def _reference_05_minibatch(per_example_grad: Callable, w: np.ndarray, batch: np.ndarray, n: int) -> np.ndarray:
    """(n / |B|) * sum over the batch of grad L_i(w)."""
    return minibatch_gradient(per_example_grad, w, batch, n)


def _minibatch_mutants(args: tuple) -> list[tuple[str, Any]]:
    grad, w, batch, n = args
    total = grad(w, batch).sum(axis=0)
    b = len(batch)
    return [(f"that is the MEAN over the batch (sum / |B|); the lecture's estimate of the full sum scales by "
             f"|D| / |B| = {n}/{b}: it is off by the factor n.", total / b),
            (f"the plain sum over the batch is |B|/|D| = {b}/{n} of the full gradient on average: scale it by "
             "|D| / |B|.", total),
            ("the scale uses the number of coordinates len(w) instead of the batch size len(batch).",
             n / len(w) * total)]


def _step_size_trials() -> list[tuple[tuple, str]]:
    return [((0.018, 0.002, 3, 16), "with gamma0 = 0.018, decay = 0.002, 3 epochs of 16 batches"),
            ((0.5, 0.1, 4, 3), "with gamma0 = 0.5, decay = 0.1, 4 epochs of 3 batches")]


def _reference_05_step_sizes(gamma0: float, decay: float, num_epochs: int, batches_per_epoch: int) -> np.ndarray:
    """gamma_k = gamma0 / (1 + decay k) for the global step k = 0 .. num_epochs * batches_per_epoch - 1."""
    return InverseTimeDecay(gamma0, decay).values(num_epochs * batches_per_epoch)


def _step_size_mutants(args: tuple) -> list[tuple[str, Any]]:
    g0, d, epochs, per = args
    k = np.arange(epochs * per)
    return [("the schedule restarts at every epoch (k counted within the epoch): k must be the GLOBAL step "
             "number, over all epochs.", g0 / (1 + d * (k % per))),
            ("k counts epochs, not steps: the step must decay at every mini-batch step.", g0 / (1 + d * (k // per))),
            ("off by one: the first step (k = 0) must use gamma0 itself.", g0 / (1 + d * (k + 1))),
            ("that is exponential decay; inverse-time decay divides by 1 + decay k.", g0 * (1 - d) ** k)]


EX_05 = [
    number_exercise("05-estimate-mean", "the mean of the mini-batch estimate",
                    ("The estimate is unbiased: what is its average over all possible batches?",
                     "E[(n/|B|) sum_{i in B} g_i] = sum_i g_i, the full gradient."),
                    NumberExercise(12.0, "Each example is in the batch with probability |B|/n = 1/2, so by "
                                   "linearity of expectation the mean of (n/|B|) sum_{i in B} g_i is the full sum "
                                   "g_1 + g_2 + g_3 + g_4.", 1e-6,
                                   ((3.0, "that is the mean of the per-example gradients; the lecture's loss is the "
                                     "SUM, and the estimate is scaled to estimate the sum."),
                                    (6.0, "that is the average of the unscaled batch sum; the factor |D|/|B| = 2 "
                                     "makes the estimate unbiased."),
                                    (24.0, "a factor 2 too many: |D|/|B| is 4/2 = 2, and each batch sum is on "
                                     "average half the full sum.")))),
    number_exercise("05-batches-per-epoch", "how many mini-batches of 32 one epoch of n = 500 has",
                    ("Every example is used once per epoch; the last batch may be smaller.",
                     "ceil(n / |B|)."),
                    NumberExercise(16.0, "500 = 15 * 32 + 20: fifteen full batches and one last batch of 20.", 1e-9,
                                   ((15.0, "that drops the last, smaller batch of 20 examples; every example is "
                                     "used once per epoch."),
                                    (15.625, "a count of batches is a whole number: the last batch is smaller.")))),
    Exercise("05-minibatch-gradient", "the mini-batch estimate of the gradient", "code",
             ("per_example_grad(w, batch) returns one gradient per row; sum them and scale so that the average "
              "over batches is the FULL gradient (a sum over all n examples).",
              "return n / len(batch) * per_example_grad(w, batch).sum(axis=0)"),
             _function_checker("(per_example_grad, w, batch, n) -> estimate", _minibatch_trials,
                               _reference_05_minibatch,
                               lambda args: Part("the estimate", "(|D| / |B|) * sum over i in B of grad L_i(w), "
                                                 "summed over the batch axis (axis 0).",
                                                 {"1/n": (1 / args[3], "a mean over the batch instead of the "
                                                          "|D|/|B| scaling.")}),
                               _minibatch_mutants, "(n / |B|) * the batch sum, for three data sets."),
             _reference_05_minibatch, "(per_example_grad, w, batch, n) -> estimate"),
    Exercise("05-step-sizes", "the inverse-time schedule over global steps", "code",
             ("SGD takes num_epochs * batches_per_epoch steps; count them all with one k that never restarts.",
              "k = np.arange(num_epochs * batches_per_epoch); return gamma0 / (1 + decay * k)"),
             _function_checker("(gamma0, decay, num_epochs, batches_per_epoch) -> array of step sizes",
                               _step_size_trials, _reference_05_step_sizes,
                               lambda args: Part("the array of step sizes", "gamma_k = gamma0 / (1 + decay k), "
                                                 "k = 0 .. num_epochs * batches_per_epoch - 1."),
                               _step_size_mutants, "one step size per global step, decaying without restarts."),
             _reference_05_step_sizes, "(gamma0, decay, num_epochs, batches_per_epoch) -> step sizes"),
]

EXERCISES = EX_01 + EX_02 + EX_05
