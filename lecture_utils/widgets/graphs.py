"""Notebook 04's live panel: step through the backward pass of j = 3(a + b·c), with sliders for a, b and c.

The figure is the lecture's picture: the forward graph (values) on top and, under it box for box, the
backward graph (gradients), whose boxes fill in one edge at a time.
"""

from __future__ import annotations

import html
from typing import NamedTuple, Optional

import ipywidgets as widgets
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..autodiff import Value, toy_graph
from ..graphs import WalkStep, backward_walk, format_number, graph_from_value, walk_view
from ..plotting.graphs import GraphArtists, draw_graph, set_graph_texts, show_walk_view, text_width_points
from ..plotting.style import COLORS, lecture_style
from .core import LiveFigure, Panel, panel_layout, slider

NUDGE = 0.001
FONTSIZE = 11
LAST_STEP = 6  # the toy graph's walk: the forward frame, the seed, then its five edges
WIDEST_NUMBER = "= −88.5"  # the widest value or gradient any slider setting gives (j = 3(a + bc) with |a|, |b|, |c| ≤ 5)


def toy_root(a: float, b: float, c: float) -> Value:
    """The output j of the lecture's toy graph at (a, b, c), after ``backward()``."""
    return toy_graph(a, b, c)["j"]


class ToyWalkArtists(NamedTuple):
    """What ``draw_toy_walk`` drew: the forward graph, the backward graph under it, and the caption (or None)."""

    forward: GraphArtists
    backward: GraphArtists
    caption: Optional[Text]


def draw_toy_walk(fig: Figure, a: float = 1.0, b: float = 2.0, c: float = 3.0, step: int = 0,
                  animated: bool = False, caption: bool = True) -> ToyWalkArtists:
    """The toy graph on ``fig``: forward graph (values) above, backward graph (the gradients of frame ``step``
    of the walk, right to left) below, and the frame's caption under both."""
    root = toy_root(a, b, c)
    grid = fig.add_gridspec(3 if caption else 2, 1, height_ratios=[1, 1, 0.42][: 3 if caption else 2])
    ax_forward, ax_backward = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    min_width = text_width_points(WIDEST_NUMBER, FONTSIZE)  # boxes keep their size when the numbers change
    forward = draw_graph(ax_forward, graph_from_value(root), fontsize=FONTSIZE, min_box_width=min_width,
                         animated=animated, margin=0.5, title="forward graph of j = 3(a + b·c): values, left to right")
    backward = draw_graph(ax_backward, graph_from_value(root, backward=True), direction="backward",
                          fontsize=FONTSIZE, min_box_width=min_width, animated=animated, margin=0.5,
                          title="backward graph: gradients ∂j/∂·, right to left, one edge at a time")
    for ax in (ax_forward, ax_backward):  # titles a little smaller than the house's: the panel must fit 768 px
        ax.title.set_fontsize(FONTSIZE + 2)
    text = None
    if caption:
        ax_text = fig.add_subplot(grid[2])
        ax_text.set_axis_off()
        text = ax_text.text(0.0, 0.5, "", transform=ax_text.transAxes, ha="left", va="center",
                            fontsize=FONTSIZE - 1, color=COLORS["black"], animated=animated, linespacing=1.5)
    show_walk_view(backward, walk_view(root, backward_walk(root), step), text)
    return ToyWalkArtists(forward, backward, text)


SUMMARY_HEADER = "   a     b     c  |      j  ∂j/∂a  ∂j/∂b  ∂j/∂c  | step    the step's chain-rule product"


def summary_row(panel: "ToyGraphPanel") -> str:
    """One line of a replay table: inputs, j and its gradients, the step and its product (rounded)."""
    if not isinstance(panel, ToyGraphPanel):
        raise TypeError(f"panel must be a ToyGraphPanel, got {type(panel).__name__}")
    c = panel.controls
    g = toy_graph(c["a"].value, c["b"].value, c["c"].value)
    f = format_number
    step = c["step"].value
    product = panel.frames[step].caption.split("\n")[0] if step >= 1 else "(the forward pass only)"
    return (f"{f(g['a'].data):>4}  {f(g['b'].data):>4}  {f(g['c'].data):>4}  | {f(g['j'].data):>6}  "
            f"{f(g['a'].grad):>5}  {f(g['b'].grad):>5}  {f(g['c'].grad):>5}  | {step} of {LAST_STEP}  {product}")


class ToyGraphPanel(Panel):
    """Sliders for a, b, c and the backward step (with Next/Back buttons) over the live toy graph."""

    def __init__(self, a: float = 1.0, b: float = 2.0, c: float = 3.0, step: int = 0) -> None:
        super().__init__()
        self.controls = {
            "a": slider("float", "a", 1.0, -5.0, 5.0, 0.5, ".1f"),
            "b": slider("float", "b", 2.0, -5.0, 5.0, 0.5, ".1f"),
            "c": slider("float", "c", 3.0, -5.0, 5.0, 0.5, ".1f"),
            "step": slider("int", "backward step", 0, 0, LAST_STEP, 1),
        }
        self.apply_arguments(a=a, b=b, c=c, step=step)  # checked by name, as set() checks them
        a, b, c, step = (self.controls[n].value for n in ("a", "b", "c", "step"))
        self.root = toy_root(a, b, c)
        self.frames: list[WalkStep] = backward_walk(self.root)
        with lecture_style():
            fig = Figure(figsize=(9, 4.2), dpi=100, layout="constrained")
            drawn = draw_toy_walk(fig, a, b, c, step, animated=True, caption=False)
        self.forward_artists, self.artists = drawn.forward, drawn.backward
        # Edge labels that read the same for any a, b, c (∂v/∂a = 1, ...) go into the static background:
        # every text redrawn costs a few milliseconds.
        moved = toy_root(a + 0.5, b + 0.5, c + 0.5)
        for artists, backward in ((self.forward_artists, False), (self.artists, True)):
            here = graph_from_value(self.root, backward=backward).edges
            there = graph_from_value(moved, backward=backward).edges
            for label, edge, other in zip(artists.labels, here, there):
                label.set_animated(artists.edge_labels and edge.label != other.label)
        changing = [*self.forward_artists.values.values(),
                    *(label for label in self.forward_artists.labels if label.get_animated()),
                    *(artist for artist in self.artists.animated_artists() if artist.get_animated())]
        self.live = LiveFigure(fig, changing)
        self.caption = widgets.HTML(layout=widgets.Layout(width="auto", max_width="900px"))
        def fluid() -> widgets.Layout:  # as wide as its label, never cut; one Layout per button
            return widgets.Layout(width="auto", min_width="max-content")

        self.back = widgets.Button(description="◀ Back", layout=fluid())
        self.next = widgets.Button(description="Next ▶", layout=fluid(), button_style="warning")
        reset = widgets.Button(description="lecture: 1, 2, 3", layout=fluid())
        ng = widgets.Button(description="Ng: 5, 3, 2", layout=fluid())
        self.back.on_click(lambda _b: self.set(step=max(self.controls["step"].value - 1, 0)))
        self.next.on_click(lambda _b: self.set(step=min(self.controls["step"].value + 1, LAST_STEP)))
        reset.on_click(lambda _b: self.set(a=1.0, b=2.0, c=3.0))
        ng.on_click(lambda _b: self.set(a=5.0, b=3.0, c=2.0))
        self.readout = widgets.HTML(layout=widgets.Layout(width="auto", max_width="900px"))
        self._watch()
        def wrapping() -> widgets.Layout:  # a row of buttons that wraps when the output area is narrow
            return widgets.Layout(flex_flow="row wrap", width="auto")

        self.widget = panel_layout(
            [[self.controls[n] for n in ("a", "b", "c")],
             [self.controls["step"], widgets.HBox([self.back, self.next], layout=wrapping()),
              widgets.HBox([reset, ng], layout=wrapping())]],
            self.live.image, self.caption, self.readout)
        self.update()

    def update(self) -> None:
        """Rebuild the graph's numbers from a, b, c, show the chosen step and redraw the changing texts."""
        c = self.controls
        step = c["step"].value
        self.root = toy_root(c["a"].value, c["b"].value, c["c"].value)
        self.frames = backward_walk(self.root)
        set_graph_texts(self.forward_artists, graph_from_value(self.root))
        show_walk_view(self.artists, walk_view(self.root, self.frames, step))
        self.live.render()
        self.back.disabled = step == 0  # nothing before the forward pass
        self.next.disabled = step == LAST_STEP  # every gradient is known
        caption = self.frames[step].caption.split("\n")
        self.caption.value = (f"<div style='font-size:18px; line-height:1.5'><b>step {step} of {LAST_STEP}:</b> "
                              + "<br>".join(html.escape(line) for line in caption) + "</div>")
        self.readout.value = ("<div style='font-size:15px; line-height:1.4; color:#555'>"
                              + "<br>".join(html.escape(line) for line in self.nudge_lines()) + "</div>")

    def nudge_lines(self) -> list[str]:
        """The nudge check: raise one input by 0.001 and compare the change of j with 0.001 × dj/dinput."""
        c = self.controls
        point = {n: c[n].value for n in "abc"}
        j = self.root.data
        grads = toy_graph(**point)
        lines = []
        for name in "abc":
            nudged = dict(point, **{name: point[name] + NUDGE})
            change = toy_root(**nudged).data - j
            lines.append(f"nudge {name} by {NUDGE}: j changes by {change:.4f}; "
                         f"{NUDGE} × ∂j/∂{name} = {NUDGE} × {format_number(grads[name].grad)} "
                         f"= {NUDGE * grads[name].grad:.4f}")
        return lines

    def summary(self) -> str:
        """Plain text: inputs, forward values, gradients and the current step's caption."""
        c = self.controls
        g = toy_graph(c["a"].value, c["b"].value, c["c"].value)
        f = format_number
        return "\n".join([
            f"a = {f(g['a'].data)}, b = {f(g['b'].data)}, c = {f(g['c'].data)}: "
            f"u = {f(g['u'].data)}, v = {f(g['v'].data)}, j = {f(g['j'].data)}",
            "dj/da = {}, dj/db = {}, dj/dc = {}, dj/du = {}, dj/dv = {}".format(
                *(f(g[n].grad) for n in ("a", "b", "c", "u", "v"))),
            f"step {c['step'].value} of {LAST_STEP}: " + self.frames[c["step"].value].caption.replace("\n", " | "),
            *self.nudge_lines(),
        ])
