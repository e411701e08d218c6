"""Notebook 04's live panel: step through the backward pass of j = 3(a + b·c), with sliders for a, b and c."""

from __future__ import annotations

import html
from typing import Optional

import ipywidgets as widgets
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..autodiff import Value, toy_graph
from ..graphs import WalkStep, backward_walk, format_number, graph_from_value, walk_view
from ..plotting.graphs import GraphArtists, draw_graph, show_walk_view, text_width_points
from ..plotting.style import COLORS, lecture_style
from .core import LiveFigure, Panel, panel_layout, slider

NUDGE = 0.001
FONTSIZE = 15


def toy_root(a: float, b: float, c: float) -> Value:
    """The output j of the lecture's toy graph at (a, b, c), after ``backward()``."""
    return toy_graph(a, b, c)["j"]


def draw_toy_walk(fig: Figure, a: float = 1.0, b: float = 2.0, c: float = 3.0, step: int = 0,
                  animated: bool = False, caption: bool = True) -> tuple[GraphArtists, Optional[Text]]:
    """The toy graph on ``fig`` showing frame ``step`` of its backward walk (with the frame's caption below)."""
    root = toy_root(a, b, c)
    if caption:
        grid = fig.add_gridspec(2, 1, height_ratios=[4.2, 1])
        ax, ax_text = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
        ax_text.set_axis_off()
    else:
        ax = fig.add_subplot()
    # wide enough for the widest number any slider setting produces
    min_width = text_width_points("∂j/∂b = −88.8", FONTSIZE * 0.85)
    artists = draw_graph(ax, graph_from_value(root), fontsize=FONTSIZE, min_box_width=min_width,
                         animated=animated, margin=0.4,
                         title="j = 3(a + b·c): the backward pass, one edge at a time")
    text = None
    if caption:
        text = ax_text.text(0.0, 0.5, "", transform=ax_text.transAxes, ha="left", va="center", fontsize=FONTSIZE,
                            color=COLORS["black"], animated=animated, linespacing=1.5)
    show_walk_view(artists, walk_view(root, backward_walk(root), step), text)
    return artists, text


class ToyGraphPanel(Panel):
    """Sliders for a, b, c and the backward step (with Next/Back buttons) over the live toy graph."""

    def __init__(self, a: float = 1.0, b: float = 2.0, c: float = 3.0, step: int = 0) -> None:
        super().__init__()
        self.controls = {
            "a": slider("float", "a", 1.0, -5.0, 5.0, 0.5, ".1f"),
            "b": slider("float", "b", 2.0, -5.0, 5.0, 0.5, ".1f"),
            "c": slider("float", "c", 3.0, -5.0, 5.0, 0.5, ".1f"),
            "step": slider("int", "backward step", 0, 0, 6, 1),
        }
        self.apply_arguments(a=a, b=b, c=c, step=step)  # checked by name, as set() checks them
        a, b, c, step = (self.controls[n].value for n in ("a", "b", "c", "step"))
        self.root = toy_root(a, b, c)
        self.frames: list[WalkStep] = backward_walk(self.root)
        with lecture_style():
            fig = Figure(figsize=(12.5, 5.2), dpi=80, layout="constrained")
            self.artists, _ = draw_toy_walk(fig, a, b, c, step, animated=True, caption=False)
        # Edge labels that read the same for any a, b, c (∂v/∂a = 1, ...) go into the static background:
        # every text redrawn costs a few milliseconds.
        other = graph_from_value(toy_root(a + 0.5, b + 0.5, c + 0.5)).edges
        for label, edge, moved in zip(self.artists.labels, graph_from_value(self.root).edges, other):
            label.set_animated(edge.label != moved.label)
        changing = [artist for artist in self.artists.animated_artists() if artist.get_animated()]
        self.live = LiveFigure(fig, changing)
        self.caption = widgets.HTML()
        back = widgets.Button(description="◀ Back", layout=widgets.Layout(width="110px"))
        forward = widgets.Button(description="Next ▶", layout=widgets.Layout(width="110px"),
                                 button_style="warning")
        reset = widgets.Button(description="lecture: 1, 2, 3", layout=widgets.Layout(width="150px"))
        ng = widgets.Button(description="Ng: 5, 3, 2", layout=widgets.Layout(width="150px"))
        back.on_click(lambda _b: self.set(step=max(self.controls["step"].value - 1, 0)))
        forward.on_click(lambda _b: self.set(step=min(self.controls["step"].value + 1, 6)))
        reset.on_click(lambda _b: self.set(a=1.0, b=2.0, c=3.0))
        ng.on_click(lambda _b: self.set(a=5.0, b=3.0, c=2.0))
        self.readout = widgets.HTML()
        self._watch()
        self.widget = panel_layout(
            [[self.controls[n] for n in ("a", "b", "c")],
             [self.controls["step"], widgets.HBox([back, forward]), widgets.HBox([reset, ng])]],
            self.live.image, self.caption, self.readout)
        self.update()

    def update(self) -> None:
        """Rebuild the graph's numbers from a, b, c, show the chosen step and redraw the changing texts."""
        c = self.controls
        self.root = toy_root(c["a"].value, c["b"].value, c["c"].value)
        self.frames = backward_walk(self.root)
        show_walk_view(self.artists, walk_view(self.root, self.frames, c["step"].value))
        self.live.render()
        caption = self.frames[c["step"].value].caption.split("\n")
        self.caption.value = (f"<div style='font-size:18px; line-height:1.5'><b>step {c['step'].value} of 6:</b> "
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
            f"step {c['step'].value} of 6: " + self.frames[c["step"].value].caption.replace("\n", " | "),
            *self.nudge_lines(),
        ])
