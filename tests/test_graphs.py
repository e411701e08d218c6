"""Tests of lecture_utils.graphs (the graph model), plotting.graphs (drawing) and notebook 04's step-through panel."""

from __future__ import annotations

import warnings
from itertools import product

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lecture_utils import autodiff as ad  # noqa: E402
from lecture_utils import graphs as gr  # noqa: E402
from lecture_utils import network  # noqa: E402
from lecture_utils.autodiff import Value  # noqa: E402
from lecture_utils.plotting import graphs as gp  # noqa: E402
from lecture_utils.widgets.graphs import ToyGraphPanel, draw_toy_walk  # noqa: E402


def reused_graph():
    a = Value(3.0, "a")
    b = a + a
    b.name = "b"
    c = b + b
    c.name = "c"
    c.backward()
    return c


# --- numbers as text ------------------------------------------------------------------------------------------
def test_format_number():
    assert gr.format_number(21.0) == "21"
    assert gr.format_number(-0.0) == "0"
    assert gr.format_number(-1.23456) == "−1.23"
    assert gr.format_number([1, -2.5]) == "(1, −2.5)"
    assert gr.format_number([1, 2], column=True) == "1\n2"
    assert gr.format_number([[1, 2], [3, 4]]) == "[1, 2]\n[3, 4]"
    assert gr.format_number(123456.0) == "1.23e+05"
    with pytest.raises(ValueError, match="x"):
        gr.format_number(np.zeros((2, 2, 2)))


# --- graphs from Values ---------------------------------------------------------------------------------------
def test_toy_graph_nodes_and_edge_labels():
    graph = gr.graph_from_value(ad.toy_graph()["j"])
    titles = {n.key: n.title for n in graph.nodes}
    assert titles == {"a": "a", "b": "b", "c": "c", "u": "u = b·c", "v": "v = a + u", "j": "j = 3·v"}
    # values only on the forward graph, gradients only on the backward graph
    assert graph.node("j").value == "= 21" and all(n.grad == "" for n in graph.nodes)
    labels = {(e.source, e.target): e.label for e in graph.edges}
    assert labels == {("b", "u"): "∂u/∂b = c = 3", ("c", "u"): "∂u/∂c = b = 2", ("a", "v"): "∂v/∂a = 1",
                      ("u", "v"): "∂v/∂u = 1", ("v", "j"): "∂j/∂v = 3"}
    backward = gr.graph_from_value(ad.toy_graph()["j"], backward=True)
    assert backward.node("b").title == "∂j/∂b" and backward.node("b").value == "= 9"
    assert all(n.grad == "" for n in backward.nodes)
    assert {e.label for e in backward.edges} == {"× c = 3", "× b = 2", "× 1", "× 3"}
    # box for box: the same positions and the same edges in the same order as the forward graph
    assert [(n.key, n.x, n.y) for n in backward.nodes] == [(n.key, n.x, n.y) for n in graph.nodes]
    assert [(e.source, e.target) for e in backward.edges] == [(e.source, e.target) for e in graph.edges]


def test_layout_runs_left_to_right_and_centres_children():
    graph = gr.graph_from_value(ad.toy_graph()["j"])
    x = {n.key: n.x for n in graph.nodes}
    y = {n.key: n.y for n in graph.nodes}
    for edge in graph.edges:
        assert x[edge.source] < x[edge.target]
    assert (x["a"], x["u"], x["v"], x["j"]) == (0, 1, 2, 3)
    assert y["u"] == pytest.approx((y["b"] + y["c"]) / 2)


def test_formulas_and_local_derivatives_of_every_operation():
    x = Value(2.0, "x")
    named = {}
    for op, make in {"exp": lambda: x.exp(), "log": lambda: x.log(), "tanh": lambda: x.tanh(),
                     "sigmoid": lambda: x.sigmoid(), "relu": lambda: x.relu(), "sq": lambda: x**2,
                     "cube": lambda: x**3, "sub": lambda: x - 1, "neg": lambda: -x}.items():
        out = make()
        out.name = "y"
        named[op] = gr.graph_from_value(out)
    assert named["exp"].node("y").title == "y = exp(x)" and named["exp"].edges[0].label.startswith("∂y/∂x = y")
    assert "1/x" in named["log"].edges[0].label
    assert "1 − y²" in named["tanh"].edges[0].label
    assert "y(1 − y)" in named["sigmoid"].edges[0].label
    assert "[x > 0]" in named["relu"].edges[0].label
    assert named["sq"].edges[0].label == "∂y/∂x = 2·x = 4"
    assert named["cube"].edges[0].label == "∂y/∂x = 3·x² = 12"
    assert gr.graph_from_value(x**-1).nodes[1].title == "n1 = x⁻¹"
    assert named["sub"].node("y").title == "y = x − 1"
    assert named["neg"].node("y").title == "y = −1·x"


def test_unnamed_nodes_get_names_and_duplicate_names_are_refused():
    x = Value(1.0, "x")
    out = (x * 2).tanh()
    graph = gr.graph_from_value(out)
    assert [n.key for n in graph.nodes] == ["x", "n1", "n2"]
    twin = Value(1.0, "x") + Value(2.0, "x")
    twin.name = "s"
    with pytest.raises(ValueError, match="name"):
        gr.graph_from_value(twin)
    with pytest.raises(TypeError, match="root"):
        gr.graph_from_value(3.0)


def test_reused_node_has_two_edges():
    graph = gr.graph_from_value(reused_graph())
    assert [(e.source, e.target) for e in graph.edges] == [("a", "b"), ("a", "b"), ("b", "c"), ("b", "c")]
    assert graph.edge_index("b", "c", 1) == 3
    with pytest.raises(KeyError, match="b"):
        graph.edge_index("b", "c", 2)


def test_computation_graph_errors():
    node = gr.GraphNode("a", "a")
    with pytest.raises(ValueError, match="nodes"):
        gr.ComputationGraph([node, gr.GraphNode("a", "a")], [])
    with pytest.raises(ValueError, match="edges"):
        gr.ComputationGraph([node], [gr.GraphEdge("a", "zzz")])
    with pytest.raises(TypeError, match="nodes"):
        gr.ComputationGraph(["a"], [])
    with pytest.raises(TypeError, match="edges"):
        gr.ComputationGraph([node], [("a", "a")])
    with pytest.raises(KeyError, match="key"):
        gr.ComputationGraph([node], []).node("b")
    cycle = gr.ComputationGraph([node, gr.GraphNode("b", "b")], [gr.GraphEdge("a", "b"), gr.GraphEdge("b", "a")])
    with pytest.raises(ValueError, match="cycle"):
        gr.layout(cycle)


# --- the backward walk ------------------------------------------------------------------------------------------
def test_backward_walk_of_the_toy_graph():
    frames = gr.backward_walk(ad.toy_graph()["j"])
    assert len(frames) == 7
    assert frames[0].grads == {} and "j = 3·v = 21" in frames[0].caption
    assert frames[1].grads == {"j": (1.0, True)}
    assert [f.node for f in frames[2:]] == ["v", "a", "u", "b", "c"]
    assert "running product along j → v → u → b: 1 × 3 × 1 × 3 = 9" in frames[5].caption
    assert "∂j/∂c = ∂j/∂u × ∂u/∂c = 3 × (b = 2) = 6" in frames[6].caption
    assert {k: g for k, (g, done) in frames[-1].grads.items()} == {"j": 1, "v": 3, "a": 3, "u": 3, "b": 9, "c": 6}
    assert all(done for _, done in frames[-1].grads.values())


def test_backward_walk_shows_partial_sums_of_reused_nodes():
    frames = gr.backward_walk(reused_graph())
    assert frames[2].grads["b"] == (1.0, False) and frames[3].grads["b"] == (2.0, True)
    assert frames[3].edge == ("b", "c", 1)
    assert "∂c/∂a += " in frames[5].caption and "so ∂c/∂a = 4" in frames[5].caption
    assert "SUM" in frames[4].caption
    with pytest.raises(TypeError, match="root"):
        gr.backward_walk(1.0)


@settings(max_examples=25, deadline=None)
@given(st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5))
def test_walk_ends_with_the_engine_gradients(a, b, c):
    g = ad.toy_graph(a, b, c)
    final = gr.backward_walk(g["j"])[-1].grads
    for name in "abcuv":
        assert final[name][0] == pytest.approx(g[name].grad)


# --- drawing ----------------------------------------------------------------------------------------------------
def new_axes(size=(10, 5)):
    fig = Figure(figsize=size, dpi=80, layout="constrained")
    return fig, fig.add_subplot()


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_draw_graph_makes_one_artist_per_node_and_edge(direction):
    graph = gr.graph_from_value(ad.toy_graph()["j"])
    fig, ax = new_axes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        artists = gp.draw_graph(ax, graph, direction=direction)
        fig.canvas.draw()
    assert set(artists.boxes) == set("abcuvj") and len(artists.arrows) == 5
    assert artists.values["j"].get_text() == "= 21"
    start, end = artists.arrows[graph.edge_index("v", "j")]._posA_posB
    # forward: v (x = 2) -> j (x = 3); backward: the boxes stay where they are, the arrow runs j -> v
    assert (start[0], end[0]) == ((2, 3) if direction == "forward" else (3, 2))
    assert {k: b.get_x() for k, b in artists.boxes.items()} == pytest.approx(
        {k: b.get_x() for k, b in gp.draw_graph(new_axes()[1], graph).boxes.items()})
    assert not any(h.get_visible() for h in artists.node_highlights.values())


def test_highlight_and_its_errors():
    fig, ax = new_axes()
    artists = gp.draw_graph(ax, gr.graph_from_value(ad.toy_graph()["j"]), animated=True)
    artists.highlight("b", 0)
    assert artists.node_highlights["b"].get_visible() and artists.edge_highlights[0].get_visible()
    assert sum(h.get_visible() for h in artists.edge_highlights) == 1
    artists.highlight()
    assert not any(h.get_visible() for h in artists.edge_highlights)
    assert all(a.get_animated() for a in artists.animated_artists())
    with pytest.raises(KeyError, match="node"):
        artists.highlight("zz")
    with pytest.raises(IndexError, match="edge"):
        artists.highlight(edge=9)


def test_draw_graph_errors():
    fig, ax = new_axes()
    graph = gr.graph_from_value(ad.toy_graph()["j"])
    with pytest.raises(ValueError, match="direction"):
        gp.draw_graph(ax, graph, direction="sideways")
    with pytest.raises(TypeError, match="graph"):
        gp.draw_graph(ax, [1, 2])


def test_walk_view_and_show_walk_view_set_texts_and_errors():
    root = ad.toy_graph()["j"]
    frames = gr.backward_walk(root)
    fig, ax = new_axes()
    artists = gp.draw_graph(ax, gr.graph_from_value(root, backward=True), direction="backward")
    caption = ax.text(0, 0, "")
    gp.show_walk_view(artists, gr.walk_view(root, frames, 0), caption)
    assert artists.values["b"].get_text() == "= ?" and artists.titles["b"].get_text() == "∂j/∂b"
    view = gr.walk_view(root, frames, 5)
    assert view.node == "b" and view.graph.edges[view.edge].source == "b"
    gp.show_walk_view(artists, view, caption)
    assert artists.values["b"].get_text() == "= 9" and artists.values["c"].get_text() == "= ?"
    assert artists.edge_highlights[view.edge].get_visible()
    assert "1 × 3 × 1 × 3 = 9" in caption.get_text()
    with pytest.raises(ValueError, match="step"):
        gr.walk_view(root, frames, 7)
    with pytest.raises(TypeError, match="step"):
        gr.walk_view(root, frames, 1.0)
    with pytest.raises(TypeError, match="view"):
        gp.show_walk_view(artists, frames[0])


def test_partial_sums_are_marked_so_far():
    root = reused_graph()
    frames = gr.backward_walk(root)
    assert gr.walk_view(root, frames, 2).graph.node("b").value == "= 1 so far"
    assert gr.walk_view(root, frames, 3).graph.node("b").value == "= 2"


def test_building_a_graph_leaves_the_callers_values_alone():
    """Regression: graph_from_value and backward_walk used to write n1, n2, ... into unnamed Values."""
    x = Value(1.0, "x")
    hidden = x * 2
    out = hidden.tanh()
    out.backward()
    graph = gr.graph_from_value(out)
    frames = gr.backward_walk(out)
    gr.walk_view(out, frames, len(frames) - 1)
    assert (x.name, hidden.name, out.name) == ("x", "", "")
    assert [n.key for n in graph.nodes] == ["x", "n1", "n2"]
    assert "∂n2/∂x" in frames[-1].caption
    taken = Value(2.0, "n1") * Value(3.0, "b")
    assert [n.key for n in gr.graph_from_value(taken).nodes] == ["n1", "b", "n2"]
    assert taken.name == ""


def test_graph_module_imports_no_matplotlib():
    import subprocess
    import sys

    code = "import sys, lecture_utils.graphs; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_text_width_grows_with_text():
    assert 0 < gp.text_width_points("ab", 12) < gp.text_width_points("abcd", 12) < gp.text_width_points("abcd", 20)
    assert gp.text_width_points("a\nabcdef", 12) == gp.text_width_points("abcdef", 12)


# --- the network's graphs -------------------------------------------------------------------------------------
def test_network_graphs_carry_the_notebook_03_numbers():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=3)
    Theta, beta = network.init_params(4, 2, seed=0)
    f = network.example_factors(X[0], Y[0], Theta, beta, "relu")
    forward = gr.network_forward_graph(f.x, Theta, f.P, f.A, beta, f.Y_hat, f.y, f.loss, "relu")
    backward = gr.network_backward_graph(f.dL_dYhat, f.dL_dA, f.dL_dP, f.dL_dTheta, f.dL_dbeta, "relu")
    assert [(e.source, e.target) for e in forward.edges] == [("X", "P"), ("Theta", "P"), ("P", "A"), ("A", "Y_hat"),
                                                             ("beta", "Y_hat"), ("Y_hat", "L"), ("Y", "L")]
    assert forward.node("L").value == gr.format_number(f.loss)
    assert backward.node("P").value == gr.format_number(f.dL_dP[0], column=True)
    # every backward edge reverses a forward edge (or, for ∂L/∂Θ and ∂L/∂β, ends at a parameter)
    # each backward edge is a forward edge (drawn reversed), and each box sits under its forward box
    assert {(e.source, e.target) for e in backward.edges} <= {(e.source, e.target) for e in forward.edges}
    for node in backward.nodes:
        assert (node.x, node.y) == (forward.node(node.key).x, forward.node(node.key).y)
    fig = Figure(figsize=(9, 9), dpi=100, layout="constrained")
    axes = fig.subplots(2, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        top, bottom = gp.draw_graph_pair(axes[0], axes[1], forward, backward, fontsize=11)
        fig.canvas.draw()
    assert axes[0].get_xlim() == axes[1].get_xlim()
    assert bottom.values["P"].get_text() == gr.format_number(f.dL_dP[0], column=True)
    start, end = bottom.arrows[0]._posA_posB  # ∂L/∂Ŷ (x = 3) -> ∂L/∂A (x = 2.1): right to left
    assert start[0] > end[0]


def test_graph_pair_titles_and_its_own_figure():
    import matplotlib.pyplot as plt

    c = reused_graph()
    forward, backward = gr.graph_from_value(c), gr.graph_from_value(c, backward=True)
    fig = Figure(figsize=(9, 4.6), dpi=100)
    axes = fig.subplots(2, 1)
    gp.draw_graph_pair(axes[0], axes[1], forward, backward)  # no titles: the graphs' own
    assert [ax.get_title() for ax in axes] == [forward.title, backward.title]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = gp.plot_forward_backward(forward, backward, titles=("top", "bottom"), figsize=(9, 4.6), fontsize=13)
    try:
        assert isinstance(fig, Figure) and tuple(fig.get_size_inches()) == (9, 4.6)
        top, bottom = fig.axes
        assert (top.get_title(), bottom.get_title()) == ("top", "bottom")
        assert top.get_xlim() == bottom.get_xlim()
        assert top.get_position().y0 > bottom.get_position().y0  # the forward graph on top
        start, end = [p for p in bottom.patches if p.get_visible() and hasattr(p, "_posA_posB")][0]._posA_posB
        assert start[0] > end[0]  # the backward graph's arrows run right to left
    finally:
        plt.close(fig)
    for titles in ("one title", ("only one",), ("a", 2)):
        with pytest.raises(TypeError, match="titles"):
            gp.draw_graph_pair(axes[0], axes[1], forward, backward, titles=titles)


def test_plot_toy_walk_is_the_static_twin_on_its_own_figure():
    import matplotlib.pyplot as plt

    fig = gp.plot_toy_walk(1.0, 2.0, 3.0, step=5, figsize=(9, 5.8))
    try:
        assert tuple(fig.get_size_inches()) == (9, 5.8) and len(fig.axes) == 3  # two graphs and the caption
        assert fig.axes[0].get_title().startswith("forward graph of j")
        texts = [t.get_text() for t in fig.axes[1].texts]
        assert "= 9" in texts and "= ?" in texts  # at step 5 the gradient has reached b, not yet c
        assert fig.axes[2].texts[0].get_text().startswith("∂j/∂b = ∂j/∂u × ∂u/∂b")
    finally:
        plt.close(fig)


# --- the panel ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def panel():
    return ToyGraphPanel()


def test_panel_lecture_numbers(panel):
    panel.set(a=1.0, b=2.0, c=3.0, step=6)
    text = panel.summary()
    assert "u = 6, v = 7, j = 21" in text
    assert "dj/da = 3, dj/db = 9, dj/dc = 6, dj/du = 3, dj/dv = 3" in text
    assert "nudge b by 0.001: j changes by 0.0090" in text
    panel.set(a=5.0, b=3.0, c=2.0)
    assert "j = 33" in panel.summary() and "dj/db = 6, dj/dc = 9" in panel.summary()


def test_panel_sliders_at_their_ends_raise_and_warn_nothing(panel):
    ends = {name: (control.min, control.max) for name, control in panel.controls.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, (low, high) in ends.items():
            panel.set(**{name: low})
            panel.set(**{name: high})
        for combo in product(*ends.values()):
            panel.set(**dict(zip(ends, combo)))
            assert panel.live.png.startswith(b"\x89PNG")


def test_panel_set_errors(panel):
    with pytest.raises(ValueError, match="a"):
        panel.set(a=6.0)
    with pytest.raises(ValueError, match="step"):
        panel.set(step=7)
    with pytest.raises(TypeError, match="b"):
        panel.set(b="1")
    with pytest.raises(ValueError, match="zz"):
        panel.set(zz=1)


def test_panel_buttons_and_step_caption(panel):
    panel.set(a=1.0, b=2.0, c=3.0, step=0)
    buttons = [w for w in panel.widget.children[0].children[1].children[1].children]
    back, forward = buttons
    forward.click()
    forward.click()
    assert panel.controls["step"].value == 2 and "step 2 of 6" in panel.caption.value
    back.click()
    assert panel.controls["step"].value == 1
    assert not back.disabled and not forward.disabled
    panel.set(step=6)
    assert forward.disabled and not back.disabled  # every gradient is known: nothing to walk to
    forward.click()
    assert panel.controls["step"].value == 6
    panel.set(step=0)
    assert back.disabled and not forward.disabled
    back.click()
    assert panel.controls["step"].value == 0


def test_panel_draws_the_forward_graph_above_the_backward_graph(panel):
    panel.set(a=1.0, b=2.0, c=3.0, step=5)
    forward, backward = panel.forward_artists, panel.artists
    assert forward.values["b"].get_text() == "= 2" and forward.grads["b"].get_text() == ""
    assert backward.values["b"].get_text() == "= 9" and backward.values["c"].get_text() == "= ?"
    assert backward.node_highlights["b"].get_visible()
    panel.set(a=5.0, b=3.0, c=2.0)  # a slider moves the forward values and the backward edge labels too
    assert forward.values["j"].get_text() == "= 33"
    assert all(label.get_text() == "" for label in forward.labels)  # values only on the forward graph
    assert "c = 2" in backward.labels[backward.graph.edge_index("b", "u")].get_text()
    assert forward.ax.get_position().y0 > backward.ax.get_position().y0


def test_summary_rows_replay_the_panel(panel):
    from lecture_utils.widgets.graphs import SUMMARY_HEADER, summary_row

    panel.set(a=1.0, b=2.0, c=0.0, step=5)
    row = summary_row(panel)
    assert row.split("|")[1].split() == ["3", "3", "0", "6"]  # j = 3(1 + 0), ∂j/∂b = 3c = 0, ∂j/∂c = 3b = 6
    assert "5 of 6" in row and "× (c = 0) = 0" in row
    assert len(SUMMARY_HEADER.split("|")) == len(row.split("|"))
    panel.set(step=0)
    assert "forward pass" in summary_row(panel)
    with pytest.raises(TypeError, match="panel"):
        summary_row(object())


def test_static_twin_matches_panel_frame():
    fig = Figure(figsize=(9, 6.3), dpi=100, layout="constrained")
    forward, backward, caption = draw_toy_walk(fig, 1.0, 2.0, 3.0, step=4)
    assert backward.values["u"].get_text() == "= 3" and backward.values["b"].get_text() == "= ?"
    assert forward.values["u"].get_text() == "= 6"
    assert "∂j/∂u = ∂j/∂v × ∂v/∂u = 3 × 1 = 3" in caption.get_text()


def test_network_graphs_name_bad_arguments():
    f = network.example_factors(*[a[0] if i < 2 else a for i, a in enumerate(network.tiny_example())], "relu")
    with pytest.raises(TypeError, match="theta"):
        gr.network_forward_graph(f.x, "Θ", f.P, f.A, [0.1], f.Y_hat, f.y, f.loss)
    with pytest.raises(ValueError, match="loss"):
        gr.network_forward_graph(f.x, [[1.0]], f.P, f.A, [0.1], f.Y_hat, f.y, float("nan"))
    with pytest.raises(TypeError, match="activation"):
        gr.network_backward_graph(f.dL_dYhat, f.dL_dA, f.dL_dP, f.dL_dTheta, f.dL_dbeta, activation=3)
    with pytest.raises(ValueError, match="digits"):
        gr.network_backward_graph(f.dL_dYhat, f.dL_dA, f.dL_dP, f.dL_dTheta, f.dL_dbeta, digits=0)
    with pytest.raises(ValueError, match="^dL_dTheta must be a number, a vector or a matrix"):  # found by the fuzz
        gr.network_backward_graph(f.dL_dYhat, f.dL_dA, f.dL_dP, np.zeros((1, 1, 1)), f.dL_dbeta)


@pytest.mark.parametrize("kwargs, name", [(dict(a=6.0), "a"), (dict(step=7), "step"), (dict(b="1"), "b"),
                                          (dict(c=float("nan")), "c")])
def test_panel_constructor_names_a_bad_argument(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=f"^{name} "):
        ToyGraphPanel(**kwargs)


def test_panel_constructor_uses_its_arguments():
    panel = ToyGraphPanel(a=5.0, b=3.0, c=2.0, step=6)
    assert "j = 33" in panel.summary() and "step 6 of 6" in panel.summary()
    assert panel.next.disabled and not panel.back.disabled  # built at the last step: Next is off from the start
