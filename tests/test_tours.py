"""The tours of lecture_utils.tours, the presenter that steps through them, and Panel.state_code.

Every tour state must be accepted by its panel's ``set`` (inside the ranges), and every caption
must agree with what the panel's ``summary()`` reports for that state: the facts are read from
the summary text (and the panel's own objective), never written down here. A caption says
"diverges" exactly where the run diverges, "converges" exactly where it ends at the minimum,
and each number it states for a named quantity (γ₀ = 0.75, ∂j/∂b = 9, |B| = 64) is the panel's.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.slow  # every tour stop of every panel set and checked (make test-slow)

from lecture_utils import tours
from lecture_utils.widgets.presenter import Presenter, Section, present

REPO = Path(__file__).resolve().parents[1]
TOUR_IDS = [(nb, name) for nb, panels in tours.TOURS.items() for name in panels]
STOP_IDS = [(nb, name, k) for nb, name in TOUR_IDS for k in range(len(tours.TOURS[nb][name]))]
NUMBER = r"[−-]?\d+(?:\.\d+)?"


@lru_cache(maxsize=None)
def panel_for(nb: str, name: str):
    """One panel per tour, shared by the tests (building some trains a network)."""
    return tours.panel_class(nb, name)()


class StopView:
    """What a panel showed at one stop of its tour (summary, control values, objective), kept for the tests."""

    def __init__(self, panel):
        self.summary = panel.summary()
        self.controls = {n: SimpleNamespace(value=c.value) for n, c in panel.controls.items()}
        self.objective = getattr(panel, "objective", None)


@lru_cache(maxsize=None)
def tour_views(nb: str, name: str) -> tuple:
    """Each stop of the tour set in turn on the shared panel, once for every test that reads the stops."""
    panel = panel_for(nb, name)
    views = []
    for state, _ in tours.tour(nb, name):
        assert set(state) == set(panel.controls), (state, list(panel.controls))
        panel.set(**state)  # raises outside the ranges (and warnings are errors here)
        views.append(StopView(panel))
    return tuple(views)


def summary_at(nb: str, name: str, k: int) -> str:
    return tour_views(nb, name)[k].summary


def to_float(text: str) -> float:
    return float(text.replace("−", "-"))


def numbers(text: str) -> list[float]:
    """The numbers in ``text`` (not the digits of names such as 3v or 0.9ᵏ)."""
    return [to_float(m) for m in re.findall(rf"(?<![\w.∂]){NUMBER}(?![\w.])", text)]


def matches(stated: float, value: float, text: str) -> bool:
    """Whether ``value`` rounds to the number ``stated`` as written in ``text`` (its decimals)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(stated - value) < 0.5 * 10 ** -decimals


def stated_values(caption: str) -> list[tuple[str, str]]:
    """The (symbol, number as written) pairs of a caption's equations.

    "γ₀ = 0.75" gives γ₀ = 0.75; in a chain the symbol takes the number that ends it:
    "∂j/∂b = 3 · 3 = 9" and "γ = 2(1 + β)/L = 3" give 9 and 3; "λ = 5 gives γ = 0.1" is two.
    """
    pairs = []
    for chunk in re.split(r",|;|:|\. |…", caption):
        sides = chunk.split("=")
        for k in range(len(sides) - 1):
            symbol = sides[k].split()
            if not symbol or (k > 0 and _leading_number(sides[k]) is None):
                continue  # the middle of a chain ("b·c" in "u = b·c = 6"), not a value and then a new symbol
            for right in sides[k + 1:]:
                number = _leading_number(right)
                if number is not None:
                    pairs.append((symbol[-1].lstrip("("), number))
                    break
                if len(right.split()) > 1 and not re.search(r"[·×/+−()-]", right):
                    break  # words, not an expression: no value
    return pairs


def _leading_number(text: str) -> str | None:
    """The number ``text`` starts with, when it is a value (followed by words or nothing, not by an operator)."""
    found = re.match(rf"\s*({NUMBER})(?![\w.])(?=\s+[^\W\d]|\s*$|\s*[),;])", text)
    return found.group(1) if found else None


# --- facts read from each panel's summary ---------------------------------------------------

def facts_01(summary: str, panel) -> dict:
    iterates = [to_float(x) for x in re.search(r"iterates: (.*)", summary).group(1).replace(", ...", "").split(", ")]
    c = panel.objective.center
    diverged_early = "diverged" in summary
    final = float("inf") if diverged_early else to_float(re.search(rf"final w = ({NUMBER})", summary).group(1))
    ratio = abs(final - c) / abs(iterates[0] - c)
    sides = {1 if w > c else -1 for w in iterates if abs(w - c) > 1e-9}
    return {"γ₀": panel.controls["gamma"].value, "γ": panel.controls["gamma"].value, "r": panel.controls["decay"].value, "w": final,
            "diverges": ratio > 1, "converges": ratio < 0.01,
            "stalls": ratio > 0.5 and len(sides) == 1,
            "period 2": iterates[2] == iterates[0] != iterates[1],
            "crosses": len(sides) == 2, "one step": iterates[1] == c,
            "monotone": len(sides) == 1 and all(abs(b - c) <= abs(a - c) for a, b in zip(iterates, iterates[1:]))}


def facts_02(summary: str, panel) -> dict:
    get = lambda label: to_float(re.search(rf"{re.escape(label)} = ({NUMBER})", summary).group(1))  # noqa: E731
    return {"λ": get("λ"), "γ": get("γ = 1/(2λ)"), "w": get("w⁽¹⁾"), "w⁽¹⁾": get("w⁽¹⁾"),
            "actual": get("actual decrease f(w⁽⁰⁾) − f(w⁽¹⁾)"),
            "predicted": get("predicted decrease f(w⁽⁰⁾) − m_λ(w⁽¹⁾)"),
            "model": get("m_λ(w⁽¹⁾)"), "f(w1)": get("f(w⁽¹⁾)"), "alpha": get("step length α")}


def facts_03(summary: str, panel) -> dict:
    verdict = re.search(r"verdict: (.*)", summary).group(1)
    return {"γ": panel.controls["gamma"].value, "d": panel.controls["decay"].value,
            "diverged": verdict == "diverged", "good": verdict.startswith("close to the noise floor"),
            "above": verdict.startswith("well above"),
            "after": [int(x) for x in re.findall(r"diverged after (\d+) steps", summary)]}


def facts_04(summary: str, panel) -> dict:
    values = dict(re.findall(rf"\b([abcuvj]) = ({NUMBER})", summary.split("\n")[0]))
    grads = dict(re.findall(rf"dj/d([abcuv]) = ({NUMBER})", summary.split("\n")[1]))
    facts = {name: to_float(v) for name, v in values.items()}
    facts.update({f"∂j/∂{name}": to_float(v) for name, v in grads.items()})
    facts["∂j/∂j"] = 1.0
    facts["step"] = int(re.search(r"step (\d) of 6", summary).group(1))
    return facts


def facts_05(summary: str, panel) -> dict:
    blocks: dict[str, str] = {}  # "SGD" / "GD" -> its line and the indented lines under it, joined
    current = None
    for line in summary.split("\n")[1:]:
        head = re.match(r"(SGD|GD)\b", line)
        if head:
            current = head.group(1)
            blocks[current] = line
        elif current and line.startswith(" "):
            blocks[current] += " " + line.strip()
    sgd_line, gd_line = blocks["SGD"], blocks["GD"]
    basin = lambda line: "diverged" if "diverged" in line else re.search(r"(deep|shallow) basin", line).group(1)  # noqa: E731
    ends = lambda line: re.search(r"w = \(([^)]*)\)", line).group(1)  # noqa: E731
    return {"|B|": int(re.search(r"batch size (\d+)", summary).group(1)),
            "γ₀": panel.controls["gamma0"].value, "d": panel.controls["decay"].value,
            "sgd": basin(sgd_line), "gd": basin(gd_line), "same end": ends(sgd_line) == ends(gd_line),
            "last step": to_float(re.search(rf"last (?:step size|γ) ({NUMBER})", summary).group(1))}


def facts_06(summary: str, panel) -> dict:
    k, cost = re.search(rf"iteration shown: (\d+); cost {NUMBER} -> ({NUMBER})", summary).groups()
    return {"α": float(re.search(rf"learning rate ({NUMBER})", summary).group(1)), "iteration": int(k),
            "cost": to_float(cost), "accuracy": to_float(re.search(rf"accuracy ({NUMBER})", summary).group(1)),
            "warning": re.search(r"warning: (.*)", summary).group(1), "diverged": "(diverged)" in summary,
            # the panel's own words: "a long flat stretch near 0.28 is a plateau"
            "plateau": abs(to_float(cost) - 0.28) < 0.02}


def facts_07(summary: str, panel) -> dict:
    first = summary.split("\n")[0]
    rate = re.search(rf"closed-form rate ({NUMBER})", summary)
    edge = re.search(rf"gamma < ({NUMBER})", summary)
    gamma, beta = (to_float(re.search(rf"{n} = ({NUMBER})", first).group(1)) for n in ("gamma", "beta"))
    return {"method": re.search(r"method: (\w+)", first).group(1), "γ": gamma, "γ*": gamma, "β": beta, "β*": beta,
            "rate": to_float(rate.group(1)) if rate else None, "edge": to_float(edge.group(1)) if edge else None,
            "diverged": "result: diverged" in summary}


FACTS = {"01": facts_01, "02": facts_02, "03": facts_03, "04": facts_04, "05": facts_05, "06": facts_06,
         "07": facts_07}

# (pattern in the caption, "iff" or "implies", the fact it must agree with)
RULES = {
    "01": [(r"diverg", "iff", lambda f: f["diverges"]),
           (r"converg|lands exactly on", "iff", lambda f: f["converges"]),
           (r"stall", "iff", lambda f: f["stalls"]),
           (r"period 2|for ever|forever", "iff", lambda f: f["period 2"]),
           (r"jumps? across|zig-zag|swing", "implies", lambda f: f["crosses"]),
           (r"creep|from one side", "implies", lambda f: f["monotone"]),
           (r"first step lands", "iff", lambda f: f["one step"])],
    "02": [(r"goes up", "iff", lambda f: f["actual"] < 0),
           (r"goes down|lands on", "implies", lambda f: f["actual"] > 0),
           (r"as high as", "implies", lambda f: abs(f["actual"]) < 1e-9),
           (r"is f itself", "implies", lambda f: abs(f["model"] - f["f(w1)"]) < 1e-9),
           (rf"short step of ({NUMBER})", "number", lambda f: f["alpha"]),
           (rf"promises ({NUMBER})", "number", lambda f: f["predicted"]),
           (r"by (\d+\.\d+)", "number", lambda f: f["actual"]),
           (r"diverg", "iff", lambda f: False)],
    "03": [(r"diverg", "iff", lambda f: f["diverged"]),
           (r"good fit", "iff", lambda f: f["good"]),
           (r"above the noise floor", "iff", lambda f: f["above"]),
           (r"diverges after (\d+) steps", "number", lambda f: f["after"][0])],
    "04": [(r"diverg", "iff", lambda f: False)],
    "05": [(r"escape|into the deep one", "iff", lambda f: f["sgd"] == "deep"),
           (r"both escape", "iff", lambda f: f["sgd"] == f["gd"] == "deep"),
           (r"trapped", "implies", lambda f: "shallow" in (f["sgd"], f["gd"])),
           (r"GD stays trapped", "implies", lambda f: f["gd"] == "shallow"),
           (r"wandering", "implies", lambda f: f["d"] == 0),
           (r"last step is still (\d+\.\d+)", "number", lambda f: f["last step"]),
           (r"SGD is full-batch GD", "implies", lambda f: f["same end"] and f["|B|"] == 512),
           (r"diverg", "iff", lambda f: f["sgd"] == "diverged" or f["gd"] == "diverged")],
    "06": [(r"on the plateau", "iff", lambda f: f["plateau"]),
           (r"off the plateau", "implies", lambda f: not f["plateau"] and f["iteration"] > 0),
           (r"jumps up", "iff", lambda f: "jumps up" in f["warning"]),
           (r"overshoot", "iff", lambda f: f["warning"] != "none"),
           (r"went up", "iff", lambda f: "went UP" in f["warning"]),
           (r"[Ii]teration (\d+)", "number", lambda f: f["iteration"]),
           (r"cost (?:ln 2 ≈ )?(\d+\.\d+)", "number", lambda f: f["cost"]),
           (r"(\d+(?:\.\d+)?) % of the points", "number", lambda f: 100 * f["accuracy"]),
           (r"diverg", "iff", lambda f: f["diverged"])],
    "07": [(r"diverg", "iff", lambda f: f["diverged"]),
           (rf"rate (?:jumps to )?({NUMBER})", "number", lambda f: f["rate"]),
           (rf"stable range \(γ < ({NUMBER})\)", "number", lambda f: f["edge"]),
           (r"never shrinks", "iff", lambda f: f["rate"] is not None and abs(f["rate"] - 1) < 5e-4),
           (r"no closed-form rate", "iff", lambda f: f["rate"] is None),
           (r"Nesterov", "iff", lambda f: f["method"] == "Nesterov"),
           (r"Adam", "iff", lambda f: f["method"] == "Adam"),
           (r"plain gradient descent", "implies", lambda f: f["β"] == 0 or f["method"] == "GD")],
}


# --- the data ---------------------------------------------------------------------------------

def test_every_tour_names_a_lesson_and_the_class_its_lesson_uses():
    assert set(tours.TOURS) == set(tours.PANELS) == set(tours.TITLES)
    lessons = {p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert set(tours.TOURS) <= lessons
    assert {nb[:2] for nb in tours.TOURS} >= {"01", "02", "03", "04", "05", "06"}
    for nb, panels in tours.TOURS.items():
        source = (REPO / "notebooks" / f"{nb}.ipynb").read_text()
        assert set(panels) == set(tours.PANELS[nb]) == set(tours.TITLES[nb])
        for name, stops in panels.items():
            class_name = tours.PANELS[nb][name].split(":")[1]
            assert re.search(rf"\b{name} = {class_name}\(", source), f"{nb} has no `{name} = {class_name}(...)`"
            assert len(stops) >= 3
            for state, caption in stops:
                assert isinstance(state, dict) and isinstance(caption, str) and 10 < len(caption) < 160
                assert "\n" not in caption


@pytest.mark.parametrize("nb,name", TOUR_IDS)
def test_every_state_names_every_control_and_is_inside_its_ranges(nb, name):
    views = tour_views(nb, name)  # names every control and sets it, inside its range
    for (state, _), view in zip(tours.tour(nb, name), views, strict=True):
        for control, value in state.items():
            assert view.controls[control].value == value, (control, value)
    summaries = [view.summary for view in views]
    assert len(set(summaries)) == len(summaries), "two stops of a tour show the same thing"


@pytest.mark.parametrize("nb,name,k", STOP_IDS)
def test_the_caption_agrees_with_the_summary(nb, name, k):
    state, caption = tours.TOURS[nb][name][k]
    summary = summary_at(nb, name, k)
    facts = FACTS[nb[:2]](summary, tour_views(nb, name)[k])  # the controls as they were at stop k
    for pattern, kind, fact in RULES[nb[:2]]:
        found = re.search(pattern, caption)
        if kind == "iff":
            assert bool(found) == bool(fact(facts)), f"{pattern!r} in {caption!r} but\n{summary}"
        elif kind == "implies" and found:
            assert fact(facts), f"{caption!r} says {pattern!r}, but\n{summary}"
        elif kind == "number" and found:
            assert matches(to_float(found.group(1)), fact(facts), found.group(1)), (caption, summary)
    stated = stated_values(caption)  # "γ₀ = 0.75", "∂j/∂b = 3 · 3 = 9", "|B| = 64"
    for symbol, written in stated:
        if symbol in facts:
            assert matches(to_float(written), facts[symbol], written), f"{symbol} = {written} in {caption!r}\n{summary}"
        else:
            raise AssertionError(f"{symbol} = {written} in {caption!r}: not a quantity the summary shows")


def test_stated_values_reads_the_captions_equations():
    assert stated_values("u = b·c = 6, v = a + u = 7, j = 3v = 21") == [("u", "6"), ("v", "7"), ("j", "21")]
    assert stated_values("λ = 5 gives γ = 0.1: w⁽¹⁾ = 19.6") == [("λ", "5"), ("γ", "0.1"), ("w⁽¹⁾", "19.6")]
    assert stated_values("so ∂j/∂b = 3 · 3 = 9") == [("∂j/∂b", "9")]
    assert stated_values("Decay too fast (d = 0.01): trapped") == [("d", "0.01")]
    assert stated_values("j = 3v, so ∂j/∂v = 3") == [("∂j/∂v", "3")]
    assert stated_values("At β = 0.5 the edge is γ = 2(1 + β)/L = 3") == [("β", "0.5"), ("γ", "3")]
    assert stated_values("γₖ = 1.05 · 0.9ᵏ: it converges to w = 6") == [("w", "6")]
    assert stated_values("|B| = 512 = n") == [("|B|", "512")]


def test_the_diverging_and_converging_stops_of_the_lecture_tour():
    """01's γ₀ tour is the lecture's: 0.1 creeps in, 0.5 one step, 0.75 zig-zags in, 1 period 2, 1.05 diverges."""
    gammas = [state["gamma"] for state, _ in tours.tour("01_gradient_descent_1d")]
    assert gammas == [0.1, 0.5, 0.75, 1.0, 1.05]
    regimes = [summary_at("01_gradient_descent_1d", "panel", k).split("\n")[1] for k in range(5)]
    assert [r.split(": ")[1] for r in regimes] == ["monotone", "one step", "oscillating, converging",
                                                   "endless oscillation", "diverging"]


def test_the_tours_as_json_for_the_static_players():
    data = json.loads(tours.tours_json())
    assert data["keys"] == tours.KEYS
    for nb, panels in tours.TOURS.items():
        for name, stops in panels.items():
            entry = data["tours"][nb][name]
            assert entry["panel"] == tours.PANELS[nb][name] and entry["title"] == tours.TITLES[nb][name]
            assert [(s["state"], s["caption"]) for s in entry["stops"]] == stops
            assert [list(s["state"]) for s in entry["stops"]] == [list(state) for state, _ in stops]  # order kept


def test_bad_names_are_reported():
    with pytest.raises(ValueError, match="notebook must be one of"):
        tours.tour("07_nothing")
    with pytest.raises(ValueError, match="panel must be one of"):
        tours.tour("01_gradient_descent_1d", "nope")
    with pytest.raises(ValueError, match="notebook must be one of"):
        present("07_nothing")
    with pytest.raises(ValueError, match="sections"):
        Presenter([])


# --- state_code ------------------------------------------------------------------------------

@pytest.mark.parametrize("nb,name", TOUR_IDS)
def test_state_code_reproduces_the_panel_on_a_fresh_one(nb, name):
    """A tour state, then a control moved by hand: the pasted line shows the same on a new panel."""
    panel = panel_for(nb, name)
    state = tours.tour(nb, name)[-1][0]
    panel.set(**state)
    numeric = [n for n, c in panel.controls.items() if hasattr(c, "min") and not c.disabled]
    control = panel.controls[numeric[0]]
    control.value = control.min + 3 * control.step if control.value != control.min + 3 * control.step else control.min
    code = panel.state_code(name)
    assert re.fullmatch(rf"{name}\.set\(.*\)", code), code
    fresh = tours.panel_class(nb, name)()
    exec(code, {name: fresh})  # noqa: S102 - the line a student pastes
    assert fresh.summary() == panel.summary()
    for n, c in panel.controls.items():
        assert fresh.controls[n].value == pytest.approx(c.value, abs=1e-9) if hasattr(c, "min") else fresh.controls[n].value == c.value


def test_state_code_names_the_chooser_first_and_rounds_dragged_floats():
    panel = panel_for("01_gradient_descent_1d", "panel")
    panel.set(schedule="inverse-time", decay=0.35, gamma=0.75, w0=23.0, num_steps=10)
    panel.controls["gamma"].value = 0.1 + 0.2  # 0.30000000000000004, as a drag can leave it
    code = panel.state_code()
    assert code == "panel.set(gamma=0.3, schedule='inverse-time', decay=0.35, w0=23.0, num_steps=10)"


# --- the presenter (its buttons are what the keys of the presenter page click) ------------------

def test_presenter_steps_through_both_tours_of_01_and_back():
    presenter = present("01_gradient_descent_1d")
    first, second = presenter.sections
    assert [s.name for s in presenter.sections] == list(tours.TOURS["01_gradient_descent_1d"])
    seen = []
    for _ in range(len(presenter.stops) + 2):  # two more presses than stops: stays on the last
        seen.append((presenter.section.name, presenter.section.panel.summary(), presenter.caption.value))
        presenter.buttons["next"].click()
    assert [s[0] for s in seen] == ["panel"] * 5 + ["decay_panel"] * 7
    assert len({s[2] for s in seen}) == 10
    for k, (name, summary, _) in enumerate(seen[:10]):
        tour_name, j = ("panel", k) if k < 5 else ("decay_panel", k - 5)
        assert name == tour_name and summary == summary_at("01_gradient_descent_1d", tour_name, j)
    assert second.panel.widget.layout.display == "" and first.panel.widget.layout.display == "none"
    presenter.buttons["previous"].click()
    assert presenter.index == 8
    presenter.buttons["first"].click()  # Home: the first state of this panel's tour
    assert presenter.index == 5 and presenter.state == tours.TOURS["01_gradient_descent_1d"]["decay_panel"][0][0]
    presenter.buttons["first"].click()  # Home again: the very first state
    assert presenter.index == 0 and first.panel.widget.layout.display == ""
    presenter.buttons["previous"].click()
    assert presenter.index == 0


def test_a_slider_moved_between_steps_greys_the_caption_and_updates_the_line_to_paste():
    presenter = present("01_gradient_descent_1d")
    panel = presenter.section.panel
    assert "presenter-off-tour" not in presenter.caption.value and presenter.on_tour()
    panel.controls["gamma"].value = 0.42  # a drag
    assert not presenter.on_tour() and "presenter-off-tour" in presenter.caption.value
    assert "gamma=0.42" in presenter.code.value
    assert "0.42" in presenter.summary_text.value
    presenter.next()
    assert presenter.on_tour() and panel.controls["gamma"].value == 0.5


def test_presenter_sections_are_checked():
    panel = panel_for("02_taylor_expansion", "panel")
    with pytest.raises(ValueError, match="at least one stop"):
        Presenter([Section("panel", panel, [], "title")])
