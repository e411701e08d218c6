"""The static site in Chromium, offline: pages load clean, every control works, the bake agrees with the panels.

The players' readouts are compared with what the live panels print: the test builds each panel
the way its notebook does and calls ``panel.set(**state)`` and ``summary()`` itself. Latency and
sizes are measured and printed (`-s` shows them; they also go to build/site-tests/report.json).
"""

from __future__ import annotations

import html.parser
import json
import random
import re
import statistics
from pathlib import Path
from urllib.parse import quote

import pytest

import bake
from conftest import ARTEFACTS, NOTEBOOKS, REPO, SITE, open_page

PAGES = [p.stem for p in NOTEBOOKS]
REPORT: dict = {}
NUMBER = re.compile(r"[-+−]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def teardown_module(module):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "report.json").write_text(json.dumps(REPORT, indent=1) + "\n")


def url(stem: str, fragment: str = "") -> str:
    return (SITE / f"{stem}.html").as_uri() + (f"#{fragment}" if fragment else "")


def manifests(stem: str) -> list[dict]:
    text = (SITE / f"{stem}.html").read_text()
    found = re.findall(r'<script type="application/json" class="manifest">(.*?)</script>', text, re.S)
    bakes = dict(re.findall(r'<script type="application/json" class="bake" id="([^"]+)">(.*?)</script>', text, re.S))
    players = [json.loads(m.replace("<\\/", "</")) for m in found]
    for player in players:
        for context, data in zip(player["contexts"], json.loads(bakes[player["bake"]].replace("<\\/", "</"))):
            context.update(data)
    return players


def state_at(manifest: dict, context: dict, index: int) -> dict:
    """The state of frame ``index`` of a context (product order, the last control fastest)."""
    sliders = [n for n in manifest["names"] if manifest["kinds"][n] != "choice"]
    values = {}
    for n in reversed(sliders):
        options = context["specs"][n]["values"]
        values[n] = options[index % len(options)]
        index //= len(options)
    return dict(context["choices"], **{n: values[n] for n in sliders})


def fragment(manifest: dict, state: dict, first: bool) -> str:
    prefix = "" if first else manifest["var"] + "."
    return "&".join(f"{quote(prefix + n)}={quote(str(state[n]))}" for n in manifest["names"])


def wait_ready(page) -> None:
    page.wait_for_function("window.sitePlayers !== undefined && window.sitePlayers.firstFrame !== null "
                           "|| document.querySelectorAll('section.player').length === 0")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")


def assert_clean(page) -> None:
    assert page.blocked == [], f"requests to the network: {page.blocked[:5]}"
    problems = [line for line in page.console_log if line.startswith(("[error]", "[pageerror]", "[requestfailed]",
                                                                       "[warning]"))]
    assert problems == [], problems


def player_state(page, number: int) -> dict:
    return page.evaluate(f"Object.assign({{}}, window.sitePlayers.players[{number}].state)")


def readout(page, number: int) -> str:
    return page.locator("section.player .readout").nth(number).inner_text()


def frame(page, number: int) -> str:
    return page.locator("section.player img.overlay").nth(number).get_attribute("src")


# --- budgets and static checks ----------------------------------------------------------------------

def test_budgets(budgets):
    files = [p for p in SITE.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    REPORT["budgets"] = budgets
    print(f"\nsite {total / 1e6:.1f} MB (budget 60), build {budgets['build_seconds']} s (budget 300) on "
          f"{budgets['jobs']} processes; pages (MB): "
          + ", ".join(f"{s[:2]} {b / 1e6:.1f}" for s, b in budgets["page_bytes"].items()))
    for p in budgets["players"]:
        print(f"  {p['notebook']}:{p['var']}: {p['states']} states, frames {p['frames_bytes'] / 1e6:.1f} MB")
    assert total <= 60_000_000
    assert abs(total - budgets["site_bytes"]) < 1_000_000
    assert budgets["page_bytes"].keys() == set(PAGES)
    for stem, size in budgets["page_bytes"].items():
        assert size <= 12_000_000, stem
        html_size = (SITE / f"{stem}.html").stat().st_size
        assert html_size < size
    assert budgets["build_seconds"] <= 300


def test_every_panel_of_every_notebook_is_a_player(site):
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        widget_cells = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and any(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.get("outputs", []))]
        specs = bake.find_panels(nb, path.stem)
        assert sorted(s.cell for s in specs) == widget_cells, path.name
        assert [m["var"] for m in manifests(path.stem)] == [s.var for s in specs]


class _Outputs(html.parser.HTMLParser):
    """The text of a page's <pre class="out"> elements, in order."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "pre" and "out" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self.depth = 0

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


@pytest.mark.parametrize("stem", PAGES)
def test_pages_and_committed_outputs_agree_on_every_printed_number(site, stem):
    nb = json.loads((REPO / "notebooks" / f"{stem}.ipynb").read_text())
    printed = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                printed.append("".join(out["text"]))
            elif "text/plain" in out.get("data", {}) and not set(out["data"]) & {
                    "image/png", "application/vnd.jupyter.widget-view+json", "text/html"}:
                printed.append("".join(out["data"]["text/plain"]))
    parser = _Outputs()
    parser.feed((site / f"{stem}.html").read_text())
    expected = [n for text in printed for n in NUMBER.findall(text)]
    shown = [n for text in parser.texts for n in NUMBER.findall(text)]
    assert shown == expected
    assert len(expected) > 10
    # every summary the notebook prints from a panel is one of the baked readouts, word for word
    summaries = {s.rstrip() for m in manifests(stem) for c in m["contexts"] for s in c["summaries"]}
    first_lines = {s.split("\n")[0] for s in summaries}
    blocks = [b.strip("\n").rstrip() for text in printed for b in text.strip("\n").split("\n\n")
              if b.split("\n")[0] in first_lines]
    found = [b for b in blocks if b in summaries]
    assert found == blocks, [b for b in blocks if b not in found][:2]
    REPORT.setdefault("printed_summaries_matched", {})[stem] = len(found)


# --- in the browser ---------------------------------------------------------------------------------

@pytest.mark.parametrize("stem", ["index"] + PAGES)
def test_page_loads_offline_without_errors(browser, stem):
    page = open_page(browser)
    try:
        page.goto(url(stem))
        wait_ready(page)
        assert_clean(page)
        if stem != "index":
            assert page.locator("mjx-container").count() > 3, "equations not typeset"
            assert page.evaluate("window.sitePlayers.firstFrame") < 1000, "first frame later than 1 s"
            REPORT.setdefault("first_frame_ms", {})[stem] = round(page.evaluate("window.sitePlayers.firstFrame"), 1)
        else:
            assert page.locator("table.index tbody tr").count() == len(PAGES)
    finally:
        page.context.close()


def _players():
    """(notebook, player number) for every panel the notebooks build (read from their code, not from the site)."""
    return [(path.stem, i) for path in NOTEBOOKS
            for i, _ in enumerate(bake.find_panels(json.loads(path.read_text()), path.stem))]


@pytest.mark.parametrize("stem,number", _players(), ids=lambda v: str(v))
def test_every_control_changes_the_frame_and_keys_work(page, stem, number):
    manifest = manifests(stem)[number]
    page.goto(url(stem))
    wait_ready(page)
    player = page.locator("section.player").nth(number)
    for name in manifest["names"]:
        control = player.locator(f"[name='{name}']")
        before_frame, before_text = frame(page, number), readout(page, number)
        if manifest["kinds"][name] == "choice":
            options = manifest["choices"][name]["values"]
            current = player_state(page, number)[name]
            control.select_option(str(next(o for o in options if str(o) != str(current))))
        else:
            if control.is_disabled():
                continue
            control.focus()
            at_end = control.evaluate("e => e.value === e.max")
            page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        page.wait_for_function(f"document.querySelectorAll('section.player img.overlay')[{number}]"
                               f".getAttribute('src') !== {json.dumps(before_frame)}")
        assert readout(page, number) != before_text or manifest["kinds"][name] != "choice", name
        if manifest["kinds"][name] != "choice":
            control.press("End")
            assert control.evaluate("e => e.value === e.max")
            control.press("Home")
            assert control.evaluate("e => e.value === '0'")
    def changes_frame(action) -> bool:
        before = frame(page, number)
        action()
        try:
            page.wait_for_function(f"document.querySelectorAll('section.player img.overlay')[{number}]"
                                   f".getAttribute('src') !== {json.dumps(before)}", timeout=3000)
        except Exception:  # noqa: BLE001 - a timeout means: the frame stayed
            return False
        return True

    for i, button in enumerate(manifest["buttons"]):
        element = player.locator(".buttons button").nth(i)
        if not changes_frame(element.click):  # already there: move away first
            other = next(n for n in manifest["names"] if n in button["action"])
            control = player.locator(f"[name='{other}']")
            control.focus()
            at_end = control.evaluate("e => e.value === e.max")
            assert changes_frame(lambda: page.keyboard.press("Home" if at_end else "End"))
            assert changes_frame(element.click), button["label"]
    assert_clean(page)


PANELS: dict = {}
SAME_STATE = """([i, expected]) => {
  const state = window.sitePlayers.players[i].state;
  return Object.keys(expected).every(k => typeof expected[k] === "number"
    ? Math.abs(state[k] - expected[k]) < 1e-9 : String(state[k]) === String(expected[k]));
}"""


def live_panel(stem: str, var: str):
    if (stem, var) not in PANELS:
        nb = json.loads((REPO / "notebooks" / f"{stem}.ipynb").read_text())
        spec = next(s for s in bake.find_panels(nb, stem) if s.var == var)
        PANELS[stem, var] = spec.build()
    return PANELS[stem, var]


@pytest.mark.parametrize("stem,number", _players(), ids=lambda v: str(v))
def test_readouts_equal_the_live_panels_summary(page, stem, number):
    """A sample of states per player, set through the address: the readout is what summary() prints now."""
    manifest = manifests(stem)[number]
    rng = random.Random(f"{stem}{number}")
    states = [dict(stop["state"]) for stop in manifest["tour"]]
    for context in manifest["contexts"]:
        for index in rng.sample(range(len(context["frames"])), min(3, len(context["frames"]))):
            states.append(state_at(manifest, context, index))
    page.goto(url(stem))
    wait_ready(page)
    panel = live_panel(stem, manifest["var"])
    for state in states:
        page.evaluate(f"location.hash = {json.dumps(fragment(manifest, state, number == 0))}")
        page.wait_for_function(SAME_STATE, arg=[number, {n: state[n] for n in manifest["names"]}])
        ordered = {n: state[n] for n in manifest["names"]}  # choices first, as panel.set needs
        panel.set(**ordered)
        assert readout(page, number) == panel.summary(), ordered
        alt = page.locator("section.player img.overlay").nth(number).get_attribute("alt")
        assert alt.endswith(".") and len(alt) > 40
    REPORT.setdefault("states_checked_against_live_panels", {})[f"{stem}:{manifest['var']}"] = len(states)
    assert_clean(page)


def test_url_with_a_state_restores_it_on_load(page):
    stem = PAGES[0]
    first, second = manifests(stem)[:2]
    page.goto(url(stem, "gamma=0.75&schedule=exponential&decay_panel.schedule=step&decay_panel.decay=0.5"))
    wait_ready(page)
    state = player_state(page, 0)
    assert (state["gamma"], state["schedule"]) == (0.75, "exponential")
    assert page.locator("section.player").nth(0).locator("[name='gamma'] + output").inner_text() == "0.75"
    assert page.locator("section.player").nth(0).locator("select[name='schedule']").input_value() == "exponential"
    assert (player_state(page, 1)["schedule"], player_state(page, 1)["decay"]) == ("step", 0.5)
    panel = live_panel(stem, first["var"])
    panel.set(**{n: state[n] for n in first["names"]})
    assert readout(page, 0) == panel.summary()
    # and a move writes the state back into the address
    page.locator("section.player").nth(0).locator("[name='gamma']").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.hash.indexOf('gamma=0.76') >= 0")
    assert_clean(page)


@pytest.mark.parametrize("stem", PAGES)
def test_latency_of_a_move_is_one_frame(page, stem):
    """Input event to the painted frame, measured in the page (window.sitePlayers.latencies), median ≤ 16 ms."""
    manifest = manifests(stem)[0]
    page.goto(url(stem))
    wait_ready(page)
    slider = next(n for n in manifest["names"] if manifest["kinds"][n] != "choice"
                  and len(manifest["contexts"][0]["specs"][n]["values"]) > 2)
    control = page.locator("section.player").nth(0).locator(f"[name='{slider}']")
    control.scroll_into_view_if_needed()
    control.focus()
    page.wait_for_timeout(400)  # the neighbours are decoded meanwhile
    page.evaluate("window.sitePlayers.latencies.length = 0")
    moves = min(24, len(manifest["contexts"][0]["specs"][slider]["values"]) - 1)
    for k in range(moves):
        page.keyboard.press("ArrowRight" if k < moves // 2 + 1 else "ArrowLeft")
        page.wait_for_timeout(60)
    page.wait_for_timeout(200)
    latencies = page.evaluate("window.sitePlayers.latencies")
    ms = [entry["ms"] for entry in latencies]
    median = statistics.median(ms)
    REPORT.setdefault("latency_ms", {})[stem] = {"control": slider, "moves": len(ms), "median": round(median, 1),
                                                 "max": round(max(ms), 1),
                                                 "preloaded": sum(e["ready"] for e in latencies)}
    print(f"\n{stem}: {slider} x{len(ms)}: median {median:.1f} ms, max {max(ms):.1f} ms")
    assert len(ms) >= moves - 1
    assert median <= 16.0
    assert_clean(page)


@pytest.mark.parametrize("stem", ["index"] + PAGES)
@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_screenshots_and_nothing_wider_than_the_screen(browser, stem, viewport):
    page = open_page(browser, viewport)
    try:
        page.goto(url(stem))
        wait_ready(page)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        name = f"{stem}-{viewport[0]}x{viewport[1]}"
        if page.locator("section.player").count():
            page.locator("section.player").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTEFACTS / f"{name}-player.png"))
        page.screenshot(path=str(ARTEFACTS / f"{name}-top.png"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport[0] + 1, f"the page scrolls sideways: {width} px"
        if page.locator("section.player").count():
            box = page.locator("section.player img.overlay").first.bounding_box()
            assert box["width"] <= viewport[0] and box["width"] > 0.8 * min(viewport[0], 900)
        assert_clean(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("stem,number", _players(), ids=lambda v: str(v))
def test_frames_rebuild_the_live_panels_picture(site, stem, number):
    """Base + delta, stacked as the page stacks them, is the PNG the live panel renders for that state."""
    import numpy as np

    manifest = manifests(stem)[number]
    panel = live_panel(stem, manifest["var"])
    rng = random.Random(f"frames{stem}{number}")
    checked = 0
    for context in manifest["contexts"]:
        base = np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(SITE / manifest["dir"] / context["base"])
                          .convert("RGB"))
        for index in rng.sample(range(len(context["frames"])), min(2, len(context["frames"]))):
            state = state_at(manifest, context, index)
            panel.set(**state)
            live = bake.decode(bake.panel_png(panel))
            shown = bake.rebuild(base, (SITE / manifest["dir"] / context["frames"][index]).read_bytes())
            assert shown.shape == live.shape
            assert np.mean(np.any(shown != live, axis=2)) == 0, state
            checked += 1
    assert checked >= 2
