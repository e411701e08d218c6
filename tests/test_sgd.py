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
from lecture_utils.sgd import DIVERGENCE_FACTOR, MiniBatchSampler, minibatch_gradient, sgd, sgd_final_iterates

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
    panel.set(gamma0=0.018, decay=0.002, batch_size=32, seed=0)
    text = panel.summary()
    assert "SGD: 640 steps, 20480 per-example gradients" in text and "deep basin" in text.split("\n")[1]
    assert "GD:  40 steps, 20480 per-example gradients" in text and "shallow basin" in text.split("\n")[2]


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
