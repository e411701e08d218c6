"""Tests of lecture_utils.landscape (the designed two-basin risk) and notebook 05's measured claims."""

from __future__ import annotations

import numpy as np
import pytest

from lecture_utils.descent import gradient_descent
from lecture_utils.functions import QUARTIC
from lecture_utils.landscape import (ESCAPE_HEADER, START, TWO_BASIN_SETTINGS, EscapeRow, RobustCentreRisk,
                                     escape_row, make_two_basin_risk, two_basin_risk)
from lecture_utils.schedules import InverseTimeDecay


@pytest.fixture(scope="module")
def risk():
    return two_basin_risk()


# --- the lecture's quartic (fact 4) -------------------------------------------------------
def test_quartic_from_two_starts():
    left = gradient_descent(QUARTIC.grad, -0.3, 0.01, 150, f=QUARTIC.value)
    right = gradient_descent(QUARTIC.grad, 1.5, 0.01, 150, f=QUARTIC.value)
    assert round(float(left.final), 3) == -0.971 and round(float(QUARTIC.value(left.final)), 3) == -1.578
    assert round(float(right.final), 3) == 2.442 and round(float(QUARTIC.value(right.final)), 3) == -0.452
    assert round(float(QUARTIC.stationary_points()[1]), 3) == 0.778


# --- the per-example pieces ------------------------------------------------------------------
def test_data_set_is_seeded_and_shaped(risk):
    assert risk.n == TWO_BASIN_SETTINGS["n"] == 512
    assert risk.data.shape == (512, 2) and int(risk.in_clump.sum()) == 136
    again = make_two_basin_risk(**TWO_BASIN_SETTINGS)
    assert np.array_equal(again.data, risk.data)
    assert not np.array_equal(make_two_basin_risk(seed=1).data, risk.data)
    assert np.allclose(risk.data[risk.in_clump].mean(axis=0), (-1.2, 0.0), atol=0.03)
    assert np.allclose(risk.data[~risk.in_clump].mean(axis=0), (1.2, 0.0), atol=0.08)


def test_loss_is_half_squared_error_near_each_point():
    one = RobustCentreRisk(np.array([[1.0, 2.0]]), scale=0.3)
    w = np.array([1.001, 2.002])
    r2 = 0.001**2 + 0.002**2
    assert np.isclose(one.value(w), 0.5 * r2, rtol=1e-4)
    # and its closed form far away
    w = np.array([4.0, 6.0])
    assert np.isclose(one.value(w), 0.045 * np.log1p(25 / 0.09), rtol=1e-14)


def test_per_example_gradients_match_finite_differences(risk):
    w = np.array([0.3, -0.4])
    idx = np.array([0, 7, 200, 511])
    h = 1e-6
    numeric = np.zeros((len(idx), 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        numeric[:, j] = (risk.per_example_loss(w + e, idx) - risk.per_example_loss(w - e, idx)) / (2 * h)
    assert np.allclose(risk.per_example_grad(w, idx), numeric, rtol=1e-6, atol=1e-9)


def test_full_gradient_matches_finite_differences(risk):
    for w in (START, np.array([0.0, 0.5]), np.array([1.5, -1.0])):
        h = 1e-6
        numeric = [(risk.value(w + e) - risk.value(w - e)) / (2 * h) for e in np.eye(2) * h]
        assert np.allclose(risk.grad(w), numeric, rtol=1e-6, atol=1e-6)


def test_vectorised_shapes_agree_with_loops(risk):
    W = np.array([[0.0, 0.0], [1.0, -1.0], [-1.0, 0.5]])
    idx = np.array([[0, 1, 2], [3, 4, 5], [509, 510, 511]])
    stacked = risk.per_example_grad(W, idx)
    assert stacked.shape == (3, 3, 2)
    for s in range(3):
        assert np.allclose(stacked[s], risk.per_example_grad(W[s], idx[s]))
    assert risk.per_example_grad(W[0]).shape == (512, 2)
    assert risk.value(W).shape == (3,) and isinstance(risk.value(W[0]), float)
    grid = risk.value_grid(np.array([0.0, 1.0]), np.array([0.0, 0.5, 1.0]))
    assert grid.shape == (3, 2) and np.isclose(grid[1, 1], risk.value(np.array([1.0, 0.5])))


# --- the designed shape --------------------------------------------------------------------
def test_two_minima_and_a_saddle(risk):
    deep, shallow = risk.minima()
    saddle = risk.saddle()
    for w in (deep, shallow, saddle):
        assert np.linalg.norm(risk.grad(w)) < 1e-6
    eig_deep = np.linalg.eigvalsh(risk.hessian(deep))
    eig_shallow = np.linalg.eigvalsh(risk.hessian(shallow))
    eig_saddle = np.linalg.eigvalsh(risk.hessian(saddle))
    assert np.all(eig_deep > 0) and np.all(eig_shallow > 0)
    assert eig_saddle[0] < 0 < eig_saddle[1]
    # deeper ...
    assert risk.value(deep) < risk.value(shallow) - 15
    # ... a small barrier guards the shallow basin ...
    assert 0 < risk.value(saddle) - risk.value(shallow) < 1
    # ... and the shallow basin is the sharper one (its largest curvature is higher).
    assert eig_shallow[-1] > eig_deep[-1] + 20
    assert np.allclose(deep, (1.052, -0.023), atol=1e-3) and np.allclose(shallow, (-1.012, 0.011), atol=1e-3)


def test_full_batch_gd_from_the_start_is_trapped(risk):
    deep, shallow = risk.minima()
    gd = gradient_descent(risk.grad, START, InverseTimeDecay(0.018, 0.002), 40)
    assert np.linalg.norm(gd.final - shallow) < 1e-3
    assert not risk.in_deep_basin(gd.final)


def test_in_deep_basin(risk):
    deep, shallow = risk.minima()
    assert risk.in_deep_basin(np.stack([deep, shallow])).tolist() == [True, False]


# --- the measured headline (notebook 05's table) ---------------------------------------------
def test_headline_escape_fraction_does_not_regress(risk):
    row = escape_row(risk, 0.018, 0.002, 32, 40, range(100))
    assert row.method == "SGD" and row.num_steps == 640 and row.evaluations == 20480
    assert row.fraction_deep >= 0.9  # measured: 0.97
    assert row.median_distance < 0.1
    gd = escape_row(risk, 0.018, 0.002, 512, 40, range(100))
    assert gd.method == "GD" and gd.num_steps == 40 and gd.evaluations == 20480
    assert gd.fraction_deep == 0.0


def test_larger_batches_escape_less_and_big_gd_steps_escape(risk):
    b64 = escape_row(risk, 0.018, 0.002, 64, 40, range(100))
    assert b64.fraction_deep <= 0.3  # measured: 0.09
    assert escape_row(risk, 0.04, 0.05, 512, 40, [0]).fraction_deep == 1.0


def test_escape_row_format():
    row = EscapeRow("SGD", 0.018, 0.002, 32, 640, 20480, 0.97, 0.0566)
    assert row.format() == "SGD   0.018  0.002    32   640   20480     97%     0.057"
    assert len(row.format()) == len(ESCAPE_HEADER)
    empty = EscapeRow("GD", 0.018, 0.0, 512, 40, 20480, 0.0, float("nan"))
    assert empty.format().endswith("-")


# --- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, name", [
    (dict(data=np.zeros((0, 2))), "data"),
    (dict(data=np.zeros((3, 3))), "data"),
    (dict(data=np.zeros(4)), "data"),
    (dict(data=[[np.nan, 1.0]]), "data"),
    (dict(data=np.zeros((3, 2)), scale=0.0), "scale"),
    (dict(data=np.zeros((3, 2)), in_clump=[True, False]), "in_clump"),
])
def test_risk_errors_name_the_parameter(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        RobustCentreRisk(**kwargs)


def test_index_and_point_errors(risk):
    with pytest.raises(ValueError, match="indices"):
        risk.per_example_grad(np.zeros(2), np.array([512]))
    with pytest.raises(ValueError, match="indices"):
        risk.per_example_loss(np.zeros(2), np.array([-1]))
    with pytest.raises(TypeError, match="indices"):
        risk.per_example_grad(np.zeros(2), np.array([0.5]))
    with pytest.raises(ValueError, match="w"):
        risk.value(np.zeros(3))
    with pytest.raises(ValueError, match="start"):
        risk.local_minimum([0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="in_clump"):
        RobustCentreRisk(np.zeros((3, 2))).minima()


@pytest.mark.parametrize("kwargs, name", [
    (dict(n=1), "n"),
    (dict(n=10, clump_size=10), "clump_size"),
    (dict(clump_size=0), "clump_size"),
    (dict(clump_spread=-1.0), "clump_spread"),
    (dict(main_spread=0.0), "main_spread"),
    (dict(seed=-1), "seed"),
    (dict(main_centre=(1.0, 2.0, 3.0)), "main_centre|shape"),
])
def test_make_two_basin_risk_errors(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        make_two_basin_risk(**kwargs)
