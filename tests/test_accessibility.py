"""Accessibility of figures and panels (issue 21): alt text from the data, colour-vision safety, contrast.

Colour-vision deficiency is simulated with the Machado, Oliveira and Fernandes (2009) matrices at
severity 1.0 (applied to linear RGB); colours are compared by CIE76 ΔE in CIELAB (D65).
"""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from lecture_utils.descent import gradient_descent
from lecture_utils.functions import LECTURE_1D
from lecture_utils.plotting import alt, style
from lecture_utils.plotting.descent import descent_sentence, draw_descent_1d
from lecture_utils.plotting.style import COLORS, CYCLE, RC_PARAMS, use_lecture_style

matplotlib.use("Agg")

# Machado et al. 2009, severity 1.0 (linear RGB).
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
MIN_DELTA_E = 10.0  # CIE76: two line colours still told apart at a glance (2.3 is just noticeable)
MIN_CONTRAST = 3.0  # WCAG 2.1 SC 1.4.11: graphical objects against the white figure background


def srgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def lab(c: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour in [0, 1]."""
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375],
                    [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ to_linear(c)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulate(c: np.ndarray, kind: str) -> np.ndarray:
    return to_srgb(MACHADO[kind] @ to_linear(c))


def luminance(c: np.ndarray) -> float:
    return float(np.array([0.2126, 0.7152, 0.0722]) @ to_linear(c))


def contrast(a: np.ndarray, b: np.ndarray) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# The colours drawn together as lines and markers: the cycle (yellow is never a line: 1.3:1 on white).
LINE_COLOURS = {name: COLORS[name] for name in ("vermillion", "blue", "orange", "green", "purple", "sky", "black")}


# --- the colour-science helpers against known values ------------------------------------------------
def test_lab_and_contrast_helpers_match_known_values():
    assert np.allclose(lab(np.ones(3)), [100, 0, 0], atol=0.01)
    assert np.allclose(lab(np.array([1.0, 0, 0])), [53.24, 80.09, 67.20], atol=0.05)  # sRGB red
    assert contrast(np.zeros(3), np.ones(3)) == pytest.approx(21.0)
    assert contrast(srgb("#777777"), np.ones(3)) == pytest.approx(4.48, abs=0.01)  # WCAG's well-known grey


def test_machado_matrices_keep_white_and_greys():
    for kind, m in MACHADO.items():
        assert np.allclose(m.sum(axis=1), 1.0, atol=2e-3), kind  # rows sum to 1: greys stay grey
        assert np.allclose(simulate(np.array([0.5, 0.5, 0.5]), kind), 0.5, atol=2e-3)


def test_simulation_merges_red_and_green_for_protanopes_and_deuteranopes():
    """What the test would catch: pure red and green, distinct to most, nearly merge without L or M cones."""
    red, green = np.array([0.8, 0.2, 0.1]), np.array([0.3, 0.55, 0.1])
    normal = np.linalg.norm(lab(red) - lab(green))
    for kind in ("protanopia", "deuteranopia"):
        assert np.linalg.norm(lab(simulate(red, kind)) - lab(simulate(green, kind))) < normal / 3


# --- the house palette -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [None, *MACHADO])
def test_house_line_colours_stay_distinguishable(kind):
    """Every pair of house line colours differs by ΔE ≥ 10 for normal vision and each simulated dichromacy."""
    worst = (np.inf, None)
    for (a, ca), (b, cb) in itertools.combinations(LINE_COLOURS.items(), 2):
        xa, xb = srgb(ca), srgb(cb)
        if kind is not None:
            xa, xb = simulate(xa, kind), simulate(xb, kind)
        delta = float(np.linalg.norm(lab(xa) - lab(xb)))
        worst = min(worst, (delta, (a, b)))
    print(f"\n{kind or 'normal'}: smallest ΔE {worst[0]:.1f} between {worst[1]}")
    assert worst[0] >= MIN_DELTA_E, worst


def test_full_batch_and_sgd_colours_differ_for_everyone():
    from lecture_utils.plotting.sgd import GD_COLOR, SGD_COLOR

    assert GD_COLOR != SGD_COLOR
    for kind in [None, *MACHADO]:
        a, b = srgb(GD_COLOR), srgb(SGD_COLOR)
        if kind is not None:
            a, b = simulate(a, kind), simulate(b, kind)
        assert np.linalg.norm(lab(a) - lab(b)) >= MIN_DELTA_E, kind


@pytest.mark.parametrize("name", list(LINE_COLOURS))
def test_every_line_colour_or_its_edge_has_3_to_1_on_white(name):
    """Okabe-Ito's orange (2.25:1) and sky (2.31:1) are below 3:1: their lines get an edge that is not."""
    colour = srgb(LINE_COLOURS[name])
    ratio = contrast(colour, np.ones(3))
    assert style.contrast_on_white(LINE_COLOURS[name]) == pytest.approx(ratio)
    if ratio < MIN_CONTRAST:
        edge = style.EDGE_SHADE * colour
        print(f"\n{name} {LINE_COLOURS[name]}: {ratio:.2f}:1, its edge {contrast(edge, np.ones(3)):.2f}:1")
        assert contrast(edge, np.ones(3)) >= MIN_CONTRAST
    assert (ratio < MIN_CONTRAST) == (name in {"orange", "sky"})


def test_faint_lines_get_an_edge_and_others_stay_as_drawn():
    fig = Figure()
    ax = fig.add_subplot()
    orange = ax.plot([0, 1], [0, 1], color=COLORS["orange"], label="orange")[0]
    sky_markers = ax.plot([0, 1], [1, 0], "o", color=COLORS["sky"], label="sky")[0]
    vermillion = ax.plot([0, 1], [0.5, 0.5], color=COLORS["vermillion"], label="vermillion")[0]
    faint = ax.plot([0, 1], [0.2, 0.2], color=COLORS["orange"], alpha=0.3)[0]
    ax.legend()
    style.outline_faint_lines(fig)
    for line in (orange, sky_markers):
        stroke = line.get_path_effects()[0]
        assert contrast(np.array(stroke._gc["foreground"][:3]), np.ones(3)) >= MIN_CONTRAST
    assert vermillion.get_path_effects() == [] and faint.get_path_effects() == []
    legend_lines = [h for h in ax.get_legend().legend_handles if h.get_label() in ("orange", "sky")] \
        if hasattr(ax.get_legend(), "legend_handles") else ax.get_legend().legendHandles[:2]
    assert len(legend_lines) == 2 and all(h.get_path_effects() for h in legend_lines)


def test_notebook_pngs_and_live_panels_draw_the_edge():
    fig = Figure()
    ax = fig.add_subplot()
    line = ax.plot([0, 1], [0, 1], color=COLORS["sky"])[0]
    alt.png_with_alt(fig)
    assert line.get_path_effects()
    from lecture_utils.widgets.core import LiveFigure

    fig = Figure(figsize=(3, 2))
    line = fig.add_subplot().plot([0, 1], [0, 1], color=COLORS["orange"])[0]
    LiveFigure(fig).render()
    assert line.get_path_effects()


def test_the_cycle_uses_only_line_colours_and_the_figure_stays_white():
    """Figures keep a white background in JupyterLab's dark theme: the contrast above is what shows."""
    assert set(CYCLE) <= set(LINE_COLOURS.values())
    assert RC_PARAMS["figure.dpi"] == 100 and RC_PARAMS["savefig.dpi"] == 100
    assert matplotlib.colors.to_hex(matplotlib.rcParamsDefault["figure.facecolor"]) == "#ffffff"
    assert "figure.facecolor" not in RC_PARAMS and "axes.facecolor" not in RC_PARAMS


def test_runs_are_told_apart_by_marker_or_style_not_colour_alone():
    """Several runs on one axes: no two labelled lines share both marker and line style."""
    from lecture_utils.plotting.descent import draw_loss_curves

    runs = [gradient_descent(LECTURE_1D.grad, 23.0, g, 20, f=LECTURE_1D.value) for g in (0.1, 0.5, 0.9, 1.0)]
    fig = Figure()
    ax = fig.add_subplot()
    draw_loss_curves(ax, runs, [f"γ = {g}" for g in (0.1, 0.5, 0.9, 1.0)])
    looks = [(line.get_marker(), line.get_linestyle()) for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(looks) == 4 and len(set(looks)) == len(looks), looks


# --- alt text ----------------------------------------------------------------------------------------
def test_number_rounds_to_three_significant_digits():
    assert [alt.number(x) for x in (7.825361, 289.0, 0.000443, 1.5e-10, -42.5, 1e12, 3e-13, 0.0)] == \
        ["7.83", "289", "0.000443", "1.5e−10", "−42.5", "1e12", "0", "0"]
    assert alt.number(1e-16, tiny=0) == "1e−16"


def test_plain_reads_mathtext():
    assert alt.plain(r"$w^{(0)}$ = 23, $\gamma_k$ = 1.05 · 0.9$^k$") == "w⁽⁰⁾ = 23, γₖ = 1.05 · 0.9ᵏ"
    assert alt.plain(r"$f(w^{(k)}) - f^*$") == "f(w⁽ᵏ⁾) - f*"


def test_descent_sentence_is_the_lecture_run():
    """The lecture's run: 10 steps of γ = 0.1 from 23 end at 6 + 17 · 0.8¹⁰ = 7.825 (closed form)."""
    run = gradient_descent(LECTURE_1D.grad, 23.0, 0.1, 10, f=LECTURE_1D.value)
    assert 6 + 17 * 0.8**10 == pytest.approx(7.8254, abs=1e-4)
    assert descent_sentence(LECTURE_1D, run) == (
        "10 steps of gradient descent on (w - 6)² from w⁽⁰⁾ = 23 with γ = 0.1, moving 23 → 7.83; "
        "the distance to 6 is multiplied by 0.8 each step.")


def test_alt_text_of_the_descent_picture_comes_from_its_data():
    run = gradient_descent(LECTURE_1D.grad, 23.0, 0.1, 10, f=LECTURE_1D.value)
    with matplotlib.rc_context(RC_PARAMS):
        fig = Figure(figsize=(9, 5.5))
        ax = fig.add_subplot()
        artists = draw_descent_1d(ax, LECTURE_1D, run)
    text = alt.describe_figure(fig)
    assert text.startswith("10 steps of gradient descent")
    assert "X axis w from −18 to 24; y axis f(w) from 0 to 300" in text
    assert "iterates w⁽ᵏ⁾: a path of 11 points from (23, 289) to (7.83, 3.33)" in text  # f(7.8254) = 1.8254² = 3.332
    assert "Figure size" not in text
    artists.update(gradient_descent(LECTURE_1D.grad, 23.0, 0.5, 3, f=LECTURE_1D.value))  # the note follows the run
    assert alt.describe_figure(fig).startswith("3 steps of gradient descent on (w - 6)² from w⁽⁰⁾ = 23 with γ = 0.5, "
                                               "moving 23 → 6; the distance to 6 is multiplied by 0 each step.")


def test_a_hand_built_figure_gets_a_description_too():
    fig = Figure()
    top, bottom = fig.subplots(2, 1)
    k = np.arange(5)
    top.plot(k, 2.0**-k, label="halving")
    top.set(title="Decay", xlabel="k", ylabel="$e_k$", yscale="log")
    top.legend()
    bottom.scatter([1, 2, 3], [3, 2, 1], label="data")
    bottom.axhline(2.5, label="threshold")
    bottom.axvline(1.5, label="split")
    bottom.set(xlabel="x", ylabel="y")
    text = alt.describe_figure(fig)
    assert text.startswith("2 panels")
    assert "Titled “Decay”" in text and "log scale" in text
    assert "halving: 5 points, from 1 at x = 0 to 0.0625 at x = 4" in text
    assert "data: 3 markers" in text
    assert "threshold: a horizontal line at 2.5" in text and "split: a vertical line at x = 1.5" in text
    assert not alt.is_complex(fig)


def test_contours_and_graphs_are_complex_and_get_every_label_in_the_long_text():
    fig = Figure()
    ax = fig.add_subplot()
    x, y = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
    ax.contour(x, y, x**2 + 2 * y**2, levels=[0.5, 1, 2])
    assert alt.is_complex(fig) and "contour lines of 3 levels from 0.5 to 2" in alt.describe_figure(fig)
    graph = Figure().add_subplot()
    graph.set_axis_off()
    for i, name in enumerate("abcdefgh"):
        graph.text(i, 0, name)
        graph.text(i, -1, f"= {i}")
    fig2 = graph.figure
    assert alt.is_complex(fig2)
    assert "“h = 7”" in alt.describe_figure(fig2, long=True) and "“h = 7”" not in alt.describe_figure(fig2)
    html = alt.long_description_html(fig2)
    assert html.startswith("<details><summary>") and "“a = 0”" in html


def test_note_checks_its_arguments_and_replaces_by_key():
    fig = Figure()
    ax = fig.add_subplot()
    with pytest.raises(TypeError, match="target"):
        alt.note("axes", "x")
    with pytest.raises(TypeError, match="sentence"):
        alt.note(ax, 3)
    alt.note(ax, "first")
    alt.note(ax, "second")
    assert alt.notes(ax) == ["second"]
    alt.note(ax, "")
    assert alt.notes(ax) == []
    with pytest.raises(TypeError, match="fig"):
        alt.describe_figure(ax)


def test_png_formatter_returns_png_and_alt_metadata():
    import base64

    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [1, 0], label="down")
    ax.set(title="t", xlabel="x", ylabel="y")
    data, metadata = alt.png_with_alt(fig)
    assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert metadata["alt"] == alt.describe_figure(fig) and "down: 2 points, from 1 at x = 0 to 0 at x = 1" in metadata["alt"]
    alt._pending.clear()


def test_register_is_a_no_op_outside_ipython():
    assert alt.register() is False
    use_lecture_style()  # must not fail in a plain interpreter


def test_register_installs_the_formatter_in_an_ipython_shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        assert alt.register(shell) is True
        fig = Figure(figsize=(3, 2))
        fig.add_subplot().plot([0, 1], [0, 1], label="up")
        formats, metadata = shell.display_formatter.format(fig)
        assert "image/png" in formats and "up: 2 points" in metadata["image/png"]["alt"]
        assert alt.show_long_descriptions in shell.events.callbacks["post_execute"]
        alt.register(shell)  # twice: one callback
        assert shell.events.callbacks["post_execute"].count(alt.show_long_descriptions) == 1
    finally:
        shell.events.unregister("post_execute", alt.show_long_descriptions)
        alt._pending.clear()
        InteractiveShell.clear_instance()


# --- live panels -------------------------------------------------------------------------------------
def test_panel_says_its_result_in_a_polite_live_region_and_on_the_picture():
    from lecture_utils.widgets.descent import GradientDescent1DPanel

    panel = GradientDescent1DPanel(gamma=0.1, w0=23.0, num_steps=10)
    region = panel.announcer
    assert 'aria-live="polite"' in region.value and 'role="status"' in region.value
    assert "final w = 7.825361" in region.value  # 6 + 17 · 0.8¹⁰
    assert panel.live.alt == panel.sentence()
    children = [c for c in panel.widget.children]
    assert children.index(region) == children.index(panel.live.image) + 1  # right after the picture
    panel.set(gamma=0.5, num_steps=3)
    assert "final w = 6.000000" in region.value and "Constant(gamma=0.5)" in panel.live.alt


def test_slider_moves_are_announced_at_most_every_half_second_and_the_last_one_always():
    import asyncio

    from lecture_utils.widgets.descent import GradientDescent1DPanel

    async def drag() -> tuple[str, str]:
        panel = GradientDescent1DPanel(gamma=0.1, w0=23.0, num_steps=10)
        panel._announce()  # said just now: the moves below fall inside the throttle window
        for gamma in (0.2, 0.3, 0.5):
            panel.controls["gamma"].value = gamma
        during = panel.announcer.value
        await asyncio.sleep(panel.ANNOUNCE_EVERY + 0.3)
        return during, panel.announcer.value

    during, after = asyncio.run(drag())
    assert "gamma=0.1)" in during  # not yet re-said while dragging
    assert "gamma=0.5)" in after  # the last position is said once the drag pauses


def test_a_legend_entry_is_dropped_only_when_a_note_is_about_it():
    fig = Figure()
    ax = fig.subplots()
    ax.plot([0], [1], "o", label="_start")  # drawn unlabelled: only the legend names it
    ax.legend(ax.get_lines(), ["w⁽⁰⁾"])
    alt.note(ax, "f(w⁽⁰⁾) = 8.5 at the start.", key="value")
    assert "Legend: w⁽⁰⁾." in alt.describe_axes(ax)  # the note mentions w⁽⁰⁾ but is not about it
    alt.note(ax, "w⁽⁰⁾ sits on the rim.", key="start")
    assert "Legend:" not in alt.describe_axes(ax)
