"""Drawing notebook 04's computation graphs with matplotlib (no graphviz binary needed).

``draw_graph`` lays a ``graphs.ComputationGraph`` out left to right (the
forward pass) or, with every arrow reversed, right to left (the backward pass,
drawn under the forward graph box for box, as the lecture does) and returns
its artists, so a live panel can change texts and highlights in place
(``draw_graph_pair`` draws the forward graph above the backward one, ``plot_forward_backward`` does so on a
figure of its own and ``plot_toy_walk`` puts the live panel's picture on one);
``set_graph_texts`` puts a graph's numbers on them and ``show_walk_view`` one
frame of the backward walk (a ``graphs.WalkView``). The graphs themselves, their formulas and the walk are
computed in ``lecture_utils.graphs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text
from matplotlib.textpath import TextPath
from matplotlib.transforms import ScaledTranslation

from ..graphs import ComputationGraph, WalkView
from .style import COLORS

DIRECTIONS = ("forward", "backward")


def text_width_points(text: str, fontsize: float, weight: str = "normal") -> float:
    """Width in points of the widest line of ``text`` at ``fontsize`` (no renderer needed)."""
    prop = FontProperties(size=fontsize, weight=weight)
    widths = [TextPath((0, 0), line, prop=prop).get_extents().width if line.strip() else 0.0
              for line in text.split("\n")]
    return max(widths, default=0.0)


@dataclass
class GraphArtists:
    """What ``draw_graph`` made, by node key and edge index, so a panel can update texts and highlights."""

    ax: Axes
    graph: ComputationGraph
    boxes: dict[str, FancyBboxPatch]
    titles: dict[str, Text]
    values: dict[str, Text]
    grads: dict[str, Text]
    arrows: list[FancyArrowPatch]
    labels: list[Text]
    node_highlights: dict[str, FancyBboxPatch]
    edge_highlights: list[FancyArrowPatch]
    edge_labels: bool = True  # False: the edges' labels stay empty (a forward graph shows values only)

    def highlight(self, node: Optional[str] = None, edge: Optional[int] = None) -> None:
        """Show a thick outline on ``node`` and a backward arrow along edge number ``edge`` (None: none)."""
        if node is not None and node not in self.node_highlights:
            raise KeyError(f"node {node!r} is not in the graph")
        if edge is not None and not 0 <= edge < len(self.edge_highlights):
            raise IndexError(f"edge must be between 0 and {len(self.edge_highlights) - 1}, got {edge}")
        for key, patch in self.node_highlights.items():
            patch.set_visible(key == node)
        for i, arrow in enumerate(self.edge_highlights):
            arrow.set_visible(i == edge)

    def animated_artists(self) -> list:
        """Every artist whose content can change: value, gradient and edge-label texts, and the highlights."""
        return [*self.values.values(), *self.grads.values(), *self.labels, *self.node_highlights.values(),
                *self.edge_highlights]


LABEL_AT = 0.5  # where along an edge its label sits (0: start, 1: end)
NODE_FILL = {"input": COLORS["sky"], "intermediate": COLORS["orange"], "output": COLORS["green"]}


def draw_graph(ax: Axes, graph: ComputationGraph, *, direction: str = "forward", fontsize: float = 15,
               min_box_width: float = 0.0, animated: bool = False, title: Optional[str] = None,
               margin: float = 0.5, value_color: Optional[str] = None,
               edge_labels: Optional[bool] = None) -> GraphArtists:
    """Draw ``graph`` on ``ax``: boxes (name, value, gradient), arrows labelled with their local derivative.

    ``direction="backward"`` reverses every arrow and keeps the boxes where they are: the picture of the
    backward pass, which lines up box for box with the forward graph drawn above it. ``min_box_width`` (points) keeps boxes wide enough for changing numbers.
    With ``animated=True`` the changing texts and the (hidden) highlights are animated for blitting.
    ``value_color`` defaults to blue for values (forward) and vermillion for gradients (backward).
    ``edge_labels`` (default: only for ``direction="backward"``) writes each edge's label on it: the forward
    graph holds values only, the local derivatives belong to the backward graph's chain-rule factors.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if not isinstance(graph, ComputationGraph):
        raise TypeError(f"graph must be a ComputationGraph, got {type(graph).__name__}")
    xs = np.array([n.x for n in graph.nodes], dtype=float)
    ys = np.array([n.y for n in graph.nodes], dtype=float)
    flip = direction == "backward"
    show_labels = flip if edge_labels is None else bool(edge_labels)
    left, right = xs.min(), xs.max()
    pos = {n.key: (n.x, n.y) for n in graph.nodes}
    ax.set_xlim(left - margin, right + margin)
    ax.set_ylim(ys.min() - margin, ys.max() + margin)
    ax.set_axis_off()
    ax.set_title(graph.title if title is None else title)
    fig = ax.figure
    line_pt = fontsize * 1.35
    small = fontsize * 0.85

    boxes, titles, values, grads, halos = {}, {}, {}, {}, {}
    for node in graph.nodes:
        x, y = pos[node.key]
        value_lines = node.value.split("\n") if node.value else []
        blocks = [(node.title, fontsize, "bold")] + [(line, fontsize, "normal") for line in value_lines]
        if node.grad:
            blocks.append((node.grad, small, "normal"))
        width = max(max(text_width_points(t, s, w) for t, s, w in blocks), min_box_width) + 16
        height = len(blocks) * line_pt + 8
        where = fig.dpi_scale_trans + ScaledTranslation(x, y, ax.transData)
        fill = (*to_rgb(NODE_FILL.get(node.kind, COLORS["orange"])), 0.25)  # a light tint: text stays readable
        box = FancyBboxPatch((-width / 144, -height / 144), width / 72, height / 72, boxstyle="round,pad=0.04",
                             transform=where, facecolor=fill, edgecolor=COLORS["black"], linewidth=1.5, zorder=2)
        ax.add_patch(box)
        halo = FancyBboxPatch((-width / 144, -height / 144), width / 72, height / 72, boxstyle="round,pad=0.08",
                              transform=where, facecolor="none", edgecolor=COLORS["vermillion"], linewidth=4,
                              zorder=6, visible=False, animated=animated)
        ax.add_patch(halo)
        top = (len(blocks) - 1) * line_pt / 2

        def put(text: str, row: int, size: float, color: str, weight: str = "normal", anim: bool = False) -> Text:
            return ax.annotate(text, (x, y), xytext=(0, top - row * line_pt), textcoords="offset points",
                               ha="center", va="center", fontsize=size, color=color, fontweight=weight,
                               zorder=5, animated=anim, annotation_clip=False)

        titles[node.key] = put(node.title, 0, fontsize, COLORS["black"], "bold")
        values[node.key] = ax.annotate(node.value, (x, y), xytext=(0, top - line_pt * (1 + (len(value_lines) - 1) / 2)),
                                       textcoords="offset points", ha="center", va="center", fontsize=fontsize,
                                       color=value_color or COLORS["vermillion" if flip else "blue"], zorder=5,
                                       animated=animated, annotation_clip=False,
                                       linespacing=1.35)
        grad_color = COLORS["grey" if flip else "vermillion"]
        grads[node.key] = put(node.grad, len(blocks) - 1, small, grad_color, anim=animated)
        boxes[node.key], halos[node.key] = box, halo

    pair_count: dict[tuple[str, str], int] = {}
    for edge in graph.edges:
        pair_count[(edge.source, edge.target)] = pair_count.get((edge.source, edge.target), 0) + 1
    seen: dict[tuple[str, str], int] = {}
    arrows, labels, highlights = [], [], []
    for edge in graph.edges:
        pair = (edge.source, edge.target)
        k, total = seen.get(pair, 0), pair_count[pair]
        seen[pair] = k + 1
        rad = 0.0 if total == 1 else 0.35 * (k - (total - 1) / 2)
        start, end = (edge.target, edge.source) if flip else (edge.source, edge.target)
        arrow = FancyArrowPatch(pos[start], pos[end], patchA=boxes[start], patchB=boxes[end], arrowstyle="-|>",
                                mutation_scale=22, linewidth=2, color=COLORS["grey"],
                                connectionstyle=f"arc3,rad={rad}", shrinkA=4, shrinkB=4, zorder=1)
        ax.add_patch(arrow)
        (x0, y0), (x1, y1) = pos[start], pos[end]
        mx, my = x0 + LABEL_AT * (x1 - x0), y0 + LABEL_AT * (y1 - y0)
        if rad:  # a curved edge bulges sideways: put its label on the bulge
            mx, my = mx + rad * (y1 - y0) / 2, my - rad * (x1 - x0) / 2
        level = not rad and abs(y1 - y0) < 1e-9  # a level edge: its label sits above the arrow, not on it
        label = ax.annotate(edge.label if show_labels else "", (mx, my), xytext=(0, 2 if level else 0),
                            textcoords="offset points", ha="center", va="bottom" if level else "center",
                            fontsize=small, color=COLORS["black"], zorder=4, animated=animated,
                            annotation_clip=False,
                            bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.9))
        back = FancyArrowPatch(pos[edge.target], pos[edge.source], patchA=boxes[edge.target],
                               patchB=boxes[edge.source], arrowstyle="-|>",
                               mutation_scale=30, linewidth=4, color=COLORS["vermillion"],
                               connectionstyle=f"arc3,rad={rad + 0.25 if rad >= 0 else rad - 0.25}", shrinkA=6,
                               shrinkB=6, zorder=3, visible=False, animated=animated)
        ax.add_patch(back)
        arrows.append(arrow)
        labels.append(label)
        highlights.append(back)
    return GraphArtists(ax, graph, boxes, titles, values, grads, arrows, labels, halos, highlights, show_labels)


def draw_graph_pair(ax_forward: Axes, ax_backward: Axes, forward: ComputationGraph, backward: ComputationGraph,
                    *, titles: Optional[tuple[str, str]] = None, **options: Any) -> tuple[GraphArtists, GraphArtists]:
    """The lecture's picture: ``forward`` on ``ax_forward`` and, under it box for box, ``backward`` (drawn
    with ``direction="backward"``: arrows right to left) on ``ax_backward``. Both axes get the same x-range,
    so a variable's gradient sits right under its value. ``titles`` (forward, backward) replace the graphs'
    own titles. ``options`` go to both ``draw_graph`` calls."""
    if not isinstance(forward, ComputationGraph) or not isinstance(backward, ComputationGraph):
        raise TypeError("forward and backward must be ComputationGraphs")
    if titles is None:
        titles = (forward.title, backward.title)
    elif (not isinstance(titles, (tuple, list)) or len(titles) != 2
          or not all(isinstance(t, str) for t in titles)):
        raise TypeError(f"titles must be two strings (forward, backward), got {titles!r}")
    top = draw_graph(ax_forward, forward, title=titles[0], **options)
    bottom = draw_graph(ax_backward, backward, direction="backward", title=titles[1], **options)
    left = min(ax_forward.get_xlim()[0], ax_backward.get_xlim()[0])
    right = max(ax_forward.get_xlim()[1], ax_backward.get_xlim()[1])
    for ax in (ax_forward, ax_backward):
        ax.set_xlim(left, right)
    return top, bottom


def plot_forward_backward(forward: ComputationGraph, backward: ComputationGraph, *,
                          figsize: tuple[float, float] = (9, 6), titles: Optional[tuple[str, str]] = None,
                          **options: Any) -> Figure:
    """``draw_graph_pair`` on a figure of its own: the forward graph on top, the backward graph under it.
    ``titles`` (forward, backward) replace the graphs' own titles; ``options`` go to ``draw_graph``.
    Returns the figure."""
    import matplotlib.pyplot as plt

    fig, (ax_forward, ax_backward) = plt.subplots(2, 1, figsize=figsize)
    draw_graph_pair(ax_forward, ax_backward, forward, backward, titles=titles, **options)
    return fig


def plot_toy_walk(a: float = 1.0, b: float = 2.0, c: float = 3.0, step: int = 0, *,
                  figsize: tuple[float, float] = (9, 5.8)) -> Figure:
    """The live panel's picture at (a, b, c) and backward step ``step`` (``widgets.graphs.draw_toy_walk``,
    with its caption) on a figure of its own: the panel's static twin. Returns the figure."""
    import matplotlib.pyplot as plt

    from ..widgets.graphs import draw_toy_walk  # imported here: that module imports this one

    fig = plt.figure(figsize=figsize)
    draw_toy_walk(fig, a, b, c, step)
    return fig


def set_graph_texts(artists: GraphArtists, graph: ComputationGraph) -> None:
    """Put the numbers of ``graph`` (the drawn graph at other inputs: same nodes and edges) on its artists."""
    if not isinstance(graph, ComputationGraph):
        raise TypeError(f"graph must be a ComputationGraph, got {type(graph).__name__}")
    if [n.key for n in graph.nodes] != list(artists.values) or len(graph.edges) != len(artists.labels):
        raise ValueError("graph must have the nodes and edges of the drawn graph")
    for node in graph.nodes:
        artists.values[node.key].set_text(node.value)
        artists.grads[node.key].set_text(node.grad)
    for text, edge in zip(artists.labels, graph.edges):
        text.set_text(edge.label if artists.edge_labels else "")


def show_walk_view(artists: GraphArtists, view: WalkView, caption: Optional[Text] = None) -> None:
    """Put one frame of the backward walk on a drawn backward graph: its gradients, edge labels, highlights
    and (if given a text artist) its caption."""
    if not isinstance(view, WalkView):
        raise TypeError(f"view must be a WalkView, got {type(view).__name__}")
    set_graph_texts(artists, view.graph)
    artists.highlight(view.node, view.edge)
    if caption is not None:
        caption.set_text(view.caption)
