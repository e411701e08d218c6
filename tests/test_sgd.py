"""Tests of lecture_utils.sgd (sampler, estimate, loop), the notebook-05 figures and its live panel."""

from __future__ import annotations

import itertools
import time
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lecture_utils.descent import gradient_descent
from lecture_utils.schedules import Constant, ExponentialDecay, InverseTimeDecay
from lecture_utils.sgd import (DIVERGENCE_FACTOR, MiniBatchSampler, constant_step_paths, first_exit_steps,
                               holdout_split, minibatch_gradient, restrict_to, sgd, sgd_final_iterates, sgd_paths,
                               step_size_search)

# A convex toy with closed forms: L_i(w) = ||w - x_i||^2 / 2, grad L_i = w - x_i, grad L = n (w - mean x).
RNG = np.random.default_rng(123)
X = RNG.normal(size=(40, 2))
N = len(X)


def quad_grads(w, idx):
    return np.asarray(w, dtype=float)[..., None, :] - X[idx]


def quad_full_grad(w):
    return N * (np.asarray(w, dtype=float) - X.mean(axis=0))


def quad_loss(w):
    return 0.5 * float(np.sum((np.asarray(w) - X) ** 2))


# --- sampler ---------------------------------------------------------------------------
@pytest.mark.parametrize("n, b", [(40, 8), (40, 7), (10, 3), (5, 5), (7, 1)])
def test_each_epoch_is_a_partition(n, b):
    sampler = MiniBatchSampler(n, b, seed=3)
    for _ in range(3):
        batches = sampler.epoch()
        assert len(batches) == sampler.batches_per_epoch == -(-n // b)
        assert all(len(x) == b for x in batches[:-1])
        assert len(batches[-1]) == (n % b or b)
        assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(n))


def test_epochs_are_reshuffled_and_seeded():
    a, b = MiniBatchSampler(50, 10, seed=1), MiniBatchSampler(50, 10, seed=1)
    first, second = np.concatenate(a.epoch()), np.concatenate(a.epoch())
    assert not np.array_equal(first, second)
    assert np.array_equal(first, np.concatenate(b.epoch()))
    assert not np.array_equal(first, np.concatenate(MiniBatchSampler(50, 10, seed=2).epoch()))
    assert a.epochs_started == 2


def test_iterating_walks_epochs_in_order():
    sampler = MiniBatchSampler(6, 4, seed=5)
    stream = list(itertools.islice(iter(sampler), 4))
    twin = MiniBatchSampler(6, 4, seed=5)
    expected = twin.epoch() + twin.epoch()
    assert all(np.array_equal(s, e) for s, e in zip(stream, expected))


def test_sampler_accepts_a_generator():
    rng = np.random.default_rng(9)
    batches = MiniBatchSampler(10, 5, seed=rng).epoch()
    assert np.array_equal(np.concatenate(batches), np.random.default_rng(9).permutation(10))


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=10, batch_size=0), "batch_size"),
    (dict(n=10, batch_size=11), "batch_size"),
    (dict(n=0, batch_size=1), "n"),
    (dict(n=-3, batch_size=1), "n"),
    (dict(n=10, batch_size=2.5), "batch_size"),
    (dict(n=10, batch_size=2, seed=-1), "seed"),
])
def test_sampler_errors_name_the_parameter(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        MiniBatchSampler(**kwargs)


def test_batch_size_message_mentions_n():
    with pytest.raises(ValueError, match="batch_size must be between 1 and n = 4"):
        MiniBatchSampler(4, 5)


# --- the estimate ------------------------------------------------------------------------
def test_minibatch_gradient_closed_form():
    w = np.array([0.3, -0.7])
    idx = np.array([1, 5, 9, 20])
    expected = N * (w - X[idx].mean(axis=0))  # (n/|B|) sum (w - x_i)
    assert np.allclose(minibatch_gradient(quad_grads, w, idx, N), expected, rtol=1e-13)


def test_full_batch_estimate_is_the_gradient():
    w = np.array([1.0, 2.0])
    assert np.allclose(minibatch_gradient(quad_grads, w, np.arange(N), N), quad_full_grad(w), rtol=1e-13)


@pytest.mark.parametrize("b", [1, 4, 8, 20])
def test_exactly_unbiased_over_one_epochs_partition(b):
    w = np.array([-0.4, 0.25])
    batches = MiniBatchSampler(N, b, seed=11).epoch()
    mean = np.mean([minibatch_gradient(quad_grads, w, idx, N) for idx in batches], axis=0)
    assert np.allclose(mean, quad_full_grad(w), rtol=0, atol=1e-11)


def test_statistically_unbiased_for_random_batches():
    w = np.array([0.5, 0.5])
    sampler = MiniBatchSampler(N, 5, seed=2)
    idx = np.stack([sampler.epoch()[0] for _ in range(5000)])
    estimates = minibatch_gradient(quad_grads, w, idx, N)
    se = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    assert np.all(np.abs(estimates.mean(axis=0) - quad_full_grad(w)) < 3 * se)
    assert np.all(estimates.std(axis=0) > 1.0)  # genuinely noisy


def test_minibatch_gradient_errors():
    w = np.zeros(2)
    with pytest.raises(ValueError, match="batch_indices"):
        minibatch_gradient(quad_grads, w, np.array([], dtype=int), N)
    with pytest.raises(TypeError, match="batch_indices"):
        minibatch_gradient(quad_grads, w, np.array([0.5, 1.5]), N)
    with pytest.raises(ValueError, match="n"):
        minibatch_gradient(quad_grads, w, np.array([0]), 0)
    with pytest.raises(ValueError, match="per_example_grad"):
        minibatch_gradient(lambda w, idx: np.zeros((3, 2)), w, np.array([0, 1]), N)


# --- the loop ----------------------------------------------------------------------------
def test_schedule_counts_steps_globally_across_epochs():
    seen = []

    def schedule(k):
        seen.append(k)
        return 0.01 / (1 + k)

    run = sgd(quad_grads, [0.0, 0.0], 10, schedule, 3, num_epochs=3)  # 4 batches per epoch
    assert run.num_steps == 12
    assert seen == list(range(12))
    assert np.allclose(run.step_sizes, 0.01 / (1 + np.arange(12)))
    decay = InverseTimeDecay(0.02, 0.5)
    run = sgd(quad_grads, [0.0, 0.0], N, decay, 8, num_epochs=4)
    assert np.allclose(run.step_sizes, decay.values(20))
    assert run.step_sizes[5] < run.step_sizes[4]  # step 5 opens epoch 2: no restart to gamma0


def test_counts_per_example_gradients():
    run = sgd(quad_grads, [0.0, 0.0], 10, 0.01, 3, num_epochs=2)
    assert list(np.diff(run.evaluations)) == [3, 3, 3, 1] * 2
    assert run.evaluations[-1] == 20 and run.epochs == 2.0
    run = sgd(quad_grads, [0.0, 0.0], N, 0.01, 8, num_steps=7)
    assert run.evaluations[-1] == 56 and run.num_steps == 7


def test_full_batch_sgd_is_gradient_descent():
    schedule = ExponentialDecay(0.02, 0.95)
    run = sgd(quad_grads, [3.0, -2.0], N, schedule, N, num_epochs=25)
    gd = gradient_descent(quad_full_grad, np.array([3.0, -2.0]), schedule, 25)
    assert np.allclose(run.iterates, gd.iterates, rtol=1e-12, atol=1e-12)


def test_iterates_follow_the_update_rule():
    run = sgd(quad_grads, [1.0, 1.0], N, 0.005, 4, num_epochs=2, seed=8)
    batches = MiniBatchSampler(N, 4, seed=8)
    stream = iter(batches)
    w = np.array([1.0, 1.0])
    for k in range(run.num_steps):
        w = w - 0.005 * N * (w - X[next(stream)].mean(axis=0))
        assert np.allclose(run.iterates[k + 1], w, rtol=1e-13)


def test_sgd_converges_with_decay_on_the_convex_toy():
    run = sgd(quad_grads, [5.0, 5.0], N, InverseTimeDecay(0.01, 0.05), 4, num_epochs=60, seed=0)
    assert np.linalg.norm(run.final - X.mean(axis=0)) < 0.05


def test_loss_is_recorded_every_epoch_and_at_the_end():
    run = sgd(quad_grads, [1.0, 0.0], 10, 0.01, 3, num_steps=10, loss=quad_loss)
    assert list(run.loss_steps) == [0, 4, 8, 10]
    assert np.allclose(run.loss_values, [quad_loss(run.iterates[k]) for k in run.loss_steps])
    assert list(run.loss_evaluations) == [0, 10, 20, 26]  # steps 9, 10 use batches of 3
    run = sgd(quad_grads, [1.0, 0.0], 10, 0.01, 3, num_steps=5, loss=quad_loss, record_every=2)
    assert list(run.loss_steps) == [0, 2, 4, 5]


def test_divergence_is_reported_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = sgd(quad_grads, [1.0, 1.0], N, 10.0, 8, num_epochs=50)
    assert run.diverged and run.stop_reason == "diverged"
    assert np.all(np.isfinite(run.iterates))
    assert len(run.step_sizes) == run.num_steps == len(run.evaluations) - 1


def test_divergence_rule_is_relative_to_the_start():
    """A run that starts far out and converges is not 'diverged'; one that grows 1e8-fold from the start is."""
    far = [1e9, -1e9]
    run = sgd(quad_grads, far, N, 0.01, 8, num_epochs=20, seed=0)
    assert not run.diverged and np.linalg.norm(run.final - X.mean(axis=0)) < 1e-3 * np.linalg.norm(far)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        blown = sgd(quad_grads, far, N, 10.0, 8, num_epochs=50)
    assert blown.diverged
    assert np.linalg.norm(blown.iterates[-1]) <= DIVERGENCE_FACTOR * np.linalg.norm(far)
    finals = sgd_final_iterates(quad_grads, far, N, Constant(0.01), 8, 20, [0, 1])
    assert np.all(np.isfinite(finals))


def test_vectorised_runs_draw_the_samplers_batches():
    """sgd_final_iterates walks each seed's MiniBatchSampler, so its last iterate equals the update rule's."""
    schedule = Constant(0.004)
    finals = sgd_final_iterates(quad_grads, [1.0, -1.0], N, schedule, 6, 2, [3, 4])
    for row, seed in zip(finals, [3, 4]):
        w = np.array([1.0, -1.0])
        sampler = MiniBatchSampler(N, 6, seed=seed)
        for _ in range(2):
            for idx in sampler.epoch():
                w = w - 0.004 * N * (w - X[idx].mean(axis=0))
        assert np.allclose(row, w, rtol=1e-13)


def test_zero_steps():
    run = sgd(quad_grads, [1.0, 1.0], N, 0.1, 8, num_steps=0, loss=quad_loss)
    assert run.num_steps == 0 and np.array_equal(run.final, [1.0, 1.0]) and list(run.loss_steps) == [0]


def test_vectorised_seeds_match_single_runs():
    schedule = InverseTimeDecay(0.01, 0.01)
    finals = sgd_final_iterates(quad_grads, [2.0, -1.0], N, schedule, 7, 3, [0, 5, 9])
    for row, seed in zip(finals, [0, 5, 9]):
        single = sgd(quad_grads, [2.0, -1.0], N, schedule, 7, num_epochs=3, seed=seed)
        assert np.allclose(row, single.final, rtol=1e-12, atol=1e-12)


def test_vectorised_divergence_gives_nan_rows_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        finals = sgd_final_iterates(quad_grads, [1.0, 1.0], N, Constant(10.0), 8, 40, [0, 1])
    assert np.all(np.isnan(finals))


@pytest.mark.parametrize("kwargs, name", [
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=N + 1), "batch_size"),
    (dict(n=0), "n"),
    (dict(w0=[[1.0, 2.0]]), "w0"),
    (dict(w0=[]), "w0"),
    (dict(w0=[np.nan, 1.0]), "w0"),
    (dict(num_epochs=None), "num_epochs"),
    (dict(num_steps=3), "num_epochs"),
    (dict(num_epochs=-1), "num_epochs"),
    (dict(record_every=0), "record_every"),
    (dict(seed=-2), "seed"),
    (dict(step_size=-0.1), "step_size"),
    (dict(per_example_grad=3), "per_example_grad"),
    (dict(loss=5), "loss"),
])
def test_sgd_errors_name_the_parameter(kwargs, name):
    args = dict(per_example_grad=quad_grads, w0=[0.0, 0.0], n=N, step_size=0.01, batch_size=4, num_epochs=1)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=name):
        sgd(**args)


def test_sgd_rejects_gradients_of_the_wrong_shape():
    with pytest.raises(ValueError, match="per_example_grad"):
        sgd(lambda w, idx: np.zeros((len(idx), 3)), [0.0, 0.0], N, 0.1, 4, num_steps=1)


def test_sgd_final_iterates_errors():
    with pytest.raises(ValueError, match="seeds"):
        sgd_final_iterates(quad_grads, [0.0, 0.0], N, 0.1, 4, 1, [])
    with pytest.raises(ValueError, match="batch_size"):
        sgd_final_iterates(quad_grads, [0.0, 0.0], N, 0.1, 0, 1, [0])
    with pytest.raises(ValueError, match="seeds"):
        sgd_final_iterates(quad_grads, [0.0, 0.0], N, 0.1, 4, 1, [-1])


# --- many runs side by side, exits, held-out data ----------------------------------------------
def test_sgd_paths_are_the_runs_of_sgd_for_each_seed():
    schedule = InverseTimeDecay(0.01, 0.05)
    paths = sgd_paths(quad_grads, [3.0, -2.0], N, schedule, 8, 23, [0, 5])
    assert paths.shape == (2, 24, 2)
    for row, seed in zip(paths, (0, 5)):
        assert np.allclose(row, sgd(quad_grads, [3.0, -2.0], N, schedule, 8, num_steps=23, seed=seed).iterates)
    finals = sgd_final_iterates(quad_grads, [3.0, -2.0], N, schedule, 8, 2, [0, 5])  # 2 epochs = 10 steps
    assert np.allclose(sgd_paths(quad_grads, [3.0, -2.0], N, schedule, 8, 10, [0, 5])[:, -1], finals)


def test_sgd_paths_mark_a_diverged_run_with_nan_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = sgd_paths(quad_grads, [1.0, 1.0], N, 1.0, 4, 60, [0, 1])  # gamma n = 40: |1 - 40| > 1
    assert np.all(np.isfinite(paths[:, :2])) and np.all(np.isnan(paths[:, -1]))


def test_constant_step_paths_closed_form_and_gradient_descent():
    gammas = np.array([0.001, 0.02, 0.049])  # on the toy, w_k - mean = (1 - gamma N)^k (w_0 - mean)
    w0 = np.array([2.0, -1.0])
    paths = constant_step_paths(quad_full_grad, w0, gammas, 12)
    k = np.arange(13)[:, None]
    for row, gamma in zip(paths, gammas):
        assert np.allclose(row, X.mean(axis=0) + (1 - gamma * N) ** k * (w0 - X.mean(axis=0)))
        assert np.allclose(row, gradient_descent(quad_full_grad, w0, float(gamma), 12).iterates)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wild = constant_step_paths(quad_full_grad, w0, [0.01, 1.0], 40)  # gamma N = 40 diverges
    assert np.all(np.isfinite(wild[0])) and np.all(np.isnan(wild[1, -1]))


@pytest.mark.parametrize("kwargs, name", [(dict(grad=3), "grad"), (dict(step_sizes=[]), "step_sizes"),
                                          (dict(step_sizes=[0.1, -0.1]), "step_sizes"),
                                          (dict(num_steps=-1), "num_steps")])
def test_constant_step_paths_errors_name_the_parameter(kwargs, name):
    args = dict(grad=quad_full_grad, w0=[0.0, 0.0], step_sizes=[0.01], num_steps=3) | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        constant_step_paths(**args)


def test_first_exit_steps():
    paths = np.array([[[0.0, 0.0], [0.05, 0.0], [0.2, 0.0], [0.0, 0.0]],   # leaves at step 2
                      [[0.0, 0.0], [0.01, 0.0], [0.0, 0.09], [0.0, 0.0]],  # never leaves
                      [[0.0, 0.0], [np.nan, np.nan], [0.0, 0.0], [0.0, 0.0]]])  # a NaN (diverged) has left
    assert first_exit_steps(paths, [0.0, 0.0], 0.1).tolist() == [2, -1, 1]
    assert first_exit_steps(paths[0], [0.2, 0.0], 0.1) == 0
    with pytest.raises(ValueError, match="radius"):
        first_exit_steps(paths, [0.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="centre"):
        first_exit_steps(paths, [0.0, 0.0, 0.0], 0.1)


def test_holdout_split_is_a_seeded_partition():
    train, validation = holdout_split(40, 0.25, seed=3)
    assert len(validation) == 10 and len(train) == 30
    assert np.array_equal(np.sort(np.concatenate([train, validation])), np.arange(40))
    assert np.array_equal(holdout_split(40, 0.25, seed=3)[1], validation)
    assert not np.array_equal(holdout_split(40, 0.25, seed=4)[1], validation)
    for bad in (0.0, 1.0, 0.001):
        with pytest.raises(ValueError, match="validation_fraction"):
            holdout_split(40, bad)


def test_restrict_to_maps_batch_positions_to_examples():
    subset = np.array([3, 7, 11])
    grad = restrict_to(quad_grads, subset)
    assert np.allclose(grad(np.zeros(2), np.array([0, 2])), quad_grads(np.zeros(2), np.array([3, 11])))
    with pytest.raises(ValueError, match="indices"):
        restrict_to(quad_grads, [])


def quad_losses(w, idx):
    diff = np.asarray(w, dtype=float)[..., None, :] - X[idx]
    return 0.5 * np.sum(diff**2, axis=-1)


def test_step_size_search_scores_held_out_examples_only():
    train, validation = holdout_split(N, 0.25, seed=0)
    search = step_size_search(quad_grads, quad_losses, [3.0, 3.0], train, validation, [0.0005, 0.02, 0.2], 0.01, 5,
                              6, [0, 1, 2])
    assert search.train_loss.shape == search.validation_loss.shape == (3, 3)
    finals = sgd_final_iterates(restrict_to(quad_grads, train), [3.0, 3.0], len(train), InverseTimeDecay(0.02, 0.01),
                                5, 6, [0, 1, 2])
    assert np.allclose(search.validation_loss[1], quad_losses(finals, validation).mean(axis=1))
    assert np.allclose(search.train_loss[1], quad_losses(finals, train).mean(axis=1))
    assert np.all(np.isnan(search.validation_loss[2]))  # gamma |train| = 6 > 2: every run diverges
    assert search.best == 0.02  # too small a step has not arrived after 6 epochs; too large diverged
    with pytest.raises(ValueError, match="share"):
        step_size_search(quad_grads, quad_losses, [0.0, 0.0], train, train[:3], [0.01], 0.0, 5, 1, [0])


# --- notebook 05's numbers (issue 18): fixed-step GD escapes and settles only below 2 / 59.3 ----------
def test_fixed_step_gd_escape_window_on_the_two_basin_risk():
    from lecture_utils.landscape import START, two_basin_risk

    risk = two_basin_risk()
    deep, shallow = risk.minima()
    lam_deep = np.linalg.eigvalsh(risk.hessian(deep))[-1]
    lam_shallow = np.linalg.eigvalsh(risk.hessian(shallow))[-1]
    assert 2 / lam_deep == pytest.approx(0.0337, abs=1e-4) and 2 / lam_shallow == pytest.approx(0.0237, abs=1e-4)
    short = constant_step_paths(risk.grad, START, [0.0328, 0.0330, 0.0336, 0.036], 40)[:, -1]
    assert risk.in_deep_basin(short).tolist() == [False, True, True, True]
    long = constant_step_paths(risk.grad, START, [0.0334, 0.036], 1500)
    assert np.linalg.norm(long[0, -1] - deep) < 1e-9  # escapes and settles
    bounce = np.linalg.norm(long[1, -2:] - deep, axis=1)  # escapes, then a period-2 orbit about 0.27 away
    assert np.allclose(long[1, -1], long[1, -3], atol=1e-9) and np.all((bounce > 0.26) & (bounce < 0.29))
    assert np.linalg.norm(long[1, 40] - deep) < 0.05  # after 40 steps it only looks settled


def test_gd_stalls_near_the_saddle_and_sgd_leaves():
    from lecture_utils.landscape import two_basin_risk

    risk = two_basin_risk()
    saddle = risk.saddle()
    w_near = saddle + 1e-3 * np.linalg.eigh(risk.hessian(saddle))[1][:, 1]
    gd_exit = first_exit_steps(constant_step_paths(risk.grad, w_near, [0.005], 160)[0], saddle, 0.1)
    sgd_exit = first_exit_steps(sgd_paths(risk.per_example_grad, w_near, risk.n, 0.005, 32, 160, range(20)),
                                saddle, 0.1)
    assert gd_exit > 100 and np.all((sgd_exit >= 0) & (sgd_exit < gd_exit // 2))


# --- figures -----------------------------------------------------------------------------
def test_figures_draw_without_warnings():
    import matplotlib.pyplot as plt

    from lecture_utils.functions import QUARTIC
    from lecture_utils.landscape import START, two_basin_risk
    from lecture_utils.plotting import sgd as plots

    risk = two_basin_risk()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, axes = plt.subplots(2, 3)
        runs = [gradient_descent(QUARTIC.grad, w0, 0.01, 150) for w0 in (-0.3, 1.5)]
        plots.draw_quartic_runs(axes[0, 0], QUARTIC, runs, ["a", "b"])
        run = sgd(risk.per_example_grad, START, risk.n, 0.018, 32, num_epochs=2, loss=risk.value)
        gd = gradient_descent(risk.grad, START, 0.018, 2, f=risk.value)
        plots.draw_risk_background(axes[0, 1], risk)
        artists = plots.draw_paths(axes[0, 1], run, gd)
        assert len(artists.sgd_line.get_xdata()) == run.num_steps + 1
        losses = plots.draw_loss_vs_work(axes[0, 2], risk, run, gd)
        assert np.allclose(losses.gd_line.get_xdata(), [0, risk.n, 2 * risk.n])
        est = np.random.default_rng(0).normal(size=(100, 2))
        plots.draw_estimate_histograms(axes[1, :2], est, np.zeros(2), 32)
        plots.draw_timing(axes[1, 2], np.array([10, 100]), np.array([1e-4, 1e-3]), 1e-5, 32)
        fig.canvas.draw()
        plt.close(fig)
        fig, ax = plt.subplots()
        plots.draw_final_spread(ax, risk, [risk.minima()[0][None, :]], ["runs"])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["deep minimum", "runs"]
        fig.canvas.draw()
        plt.close(fig)
        fig, axes = plt.subplots(6, 1)
        plots.draw_comparison(axes[0], axes[1], risk, run, gd, title="t", budget=2 * risk.n, sgd_label="SGD")
        names = [t.get_text() for t in axes[0].get_legend().get_texts()]
        assert {"SGD's last iterate", "GD's last iterate", "start"} <= set(names)  # every marker is in the legend
        gammas = np.array([0.02, 0.03, 0.034, 0.04])
        plots.draw_step_sweep(axes[2], gammas, np.array([2.0, 2.0, 0.0, 0.3]), np.array([False, False, True, True]),
                              escape_edge=0.033, sharp_edge=0.0237, flat_edge=0.0337, num_steps=40)
        assert axes[2].get_yscale() == "log" and axes[2].get_ylim()[0] > 0  # a log axis: no 0 tick
        paths = constant_step_paths(risk.grad, START, [0.0334, 0.036], 10)
        lines = plots.draw_long_runs(axes[3], paths, (0.0334, 0.036), risk.minima()[0])
        assert lines[0].get_color() != plots.SGD_COLOR and lines[1].get_color() != plots.SGD_COLOR
        saddle = risk.saddle()
        many = sgd_paths(risk.per_example_grad, saddle + 1e-3, risk.n, 0.005, 32, 10, range(3))
        plots.draw_saddle_escape(axes[4], saddle, paths[0], many, 0.1, 32, risk.n)
        train, validation = holdout_split(risk.n, 0.25)
        search = step_size_search(risk.per_example_grad, risk.per_example_loss, START, train, validation,
                                  [0.01, 0.03], 0.002, 32, 1, [0, 1])
        plots.draw_validation_curve(axes[5], search)
        fig.canvas.draw()
        plt.close(fig)
        fig, ax = plt.subplots()
        plots.draw_distance_to_minimum(ax, [many, many], ["a", "b"], saddle)
        assert [line.get_color() for line in ax.get_lines()] == [plots.SGD_COLOR, plots.SGD_COLOR_2]
        fig.canvas.draw()
        plt.close(fig)
        fig, axes = plt.subplots(4, 1)  # the two-panel figures of section 5 and 7, each one call
        sweep, long = plots.draw_step_regimes(axes[0], axes[1], gammas, np.array([2.0, 2.0, 0.0, 0.3]),
                                              np.array([False, False, True, True]), paths, (0.0334, 0.036),
                                              risk.minima()[0], escape_edge=0.033, sharp_edge=0.0237,
                                              flat_edge=0.0337, num_steps=40)
        assert axes[0].get_yscale() == "log" and len(long) == 2 and axes[1].get_xlim() == (0, 10)
        lines = plots.draw_settling(axes[2], axes[3], risk, [many, many], ["a", "b"], saddle)
        assert len(lines) == 2 and axes[2].get_title() == "Last iterates of 3 runs"
        np.testing.assert_array_equal(axes[2].get_lines()[-1].get_xdata(), many[:, -1, 0])  # the last iterates
        fig.canvas.draw()
        plt.close(fig)


# --- the live panel ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def panel():
    from lecture_utils.widgets.sgd import SGDvsGDPanel

    return SGDvsGDPanel()


def _extremes(panel):
    result = {}
    for name, control in panel.controls.items():
        if hasattr(control, "min"):
            result[name] = (control.min, control.max)
        else:
            result[name] = (control.options[0], control.options[-1])
    return result


def test_panel_default_summary(panel):
    from lecture_utils.widgets.sgd import READOUT_LINES, SUMMARY_HEADER, summary_row

    panel.set(gamma0=0.018, decay=0.002, batch_size=32, seed=0)
    lines = panel.summary().split("\n")
    assert len(lines) == READOUT_LINES and max(map(len, lines)) <= 80  # short lines: the readout never wraps
    assert lines[1].startswith("SGD: 640 steps, 20480 per-example gradients") and "deep basin" in lines[2]
    assert lines[3].startswith("GD:  40 steps, 20480 per-example gradients") and "shallow basin" in lines[4]
    row = summary_row(panel)
    assert row.split()[:4] == ["0.018", "0.0020", "32", "0"] and "deep basin" in row and "shallow basin" in row
    assert len(row) <= len(SUMMARY_HEADER) + 2
    assert f"min-height:{1.4 * (READOUT_LINES + 1):.1f}em" in panel.readout.value


def test_panel_sliders_at_min_and_max_alone_and_combined(panel):
    ends = _extremes(panel)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, (low, high) in ends.items():
            for value in (low, high):
                panel.set(**{name: value})
                assert panel.summary()
        for combo in itertools.product(*[ends[name] for name in ends]):
            panel.set(**dict(zip(ends, combo)))
            assert panel.live.png.startswith(b"\x89PNG")
    panel.set(gamma0=0.018, decay=0.002, batch_size=32, seed=0)


def test_panel_full_batch_sgd_equals_gd(panel):
    panel.set(batch_size=512, gamma0=0.03, decay=0.0)
    assert np.allclose(panel.run.final, panel.gd.final)
    panel.set(gamma0=0.018, decay=0.002, batch_size=32, seed=0)


def test_panel_set_checks_ranges(panel):
    with pytest.raises(ValueError, match="gamma0"):
        panel.set(gamma0=1.0)
    with pytest.raises(ValueError, match="batch_size"):
        panel.set(batch_size=33)
    with pytest.raises(ValueError, match="nope"):
        panel.set(nope=1)


@pytest.mark.parametrize("kwargs, name", [(dict(gamma0=1.0), "gamma0"), (dict(decay=-0.1), "decay"),
                                          (dict(seed=100), "seed"), (dict(batch_size=33), "batch_size"),
                                          (dict(risk="two basins"), "risk")])
def test_panel_constructor_names_a_bad_argument(kwargs, name):
    from lecture_utils.widgets.sgd import SGDvsGDPanel

    with pytest.raises((ValueError, TypeError), match=f"^{name} "):
        SGDvsGDPanel(**kwargs)


def test_panel_move_is_fast(panel):
    times = []
    for seed in range(1, 6):
        start = time.perf_counter()
        panel.set(seed=seed)
        times.append(time.perf_counter() - start)
    assert np.median(times) < 0.5  # target 100 ms; generous for a loaded CI machine
    panel.set(seed=0)
