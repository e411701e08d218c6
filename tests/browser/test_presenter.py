"""The presenter pages (`make present`) in Chromium at a projector's 1024×768, notebook 01 in full.

One page load: the clicker's keys step through the tour (picture and caption change, and the
state reached by keys is the one the tour's state gives when set from code), Home goes back,
B blanks the screen, a slider still works between steps, and nothing is cut off on either
of the lesson's two panels (nor on the pages of 04 and 06, the tallest layouts). Screenshots go to
build/browser/presenter-*.png.
"""

from __future__ import annotations

import html
import importlib.util
import re
import secrets
import socket
import subprocess
import time

import pytest

import servers
from conftest import ARTEFACTS, REPO
from lecture_utils import tours

NOTEBOOK = "01_gradient_descent_1d"
WIDTH, HEIGHT = 1024, 768


def _load_serve():
    spec = importlib.util.spec_from_file_location("present_serve", REPO / "tools" / "present" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def presenter_server(tmp_path_factory):
    """Voila with the presenter template, serving the generated presenter pages (as `make present` does)."""
    serve = _load_serve()
    root = tmp_path_factory.mktemp("present")
    pages = serve.write_pages(root)
    assert [p.stem for p in pages] == [nb for nb in tours.TOURS if (REPO / "notebooks" / f"{nb}.ipynb").exists()]
    port, token = servers.free_port(), secrets.token_hex(24)
    env = serve.voila_env(servers.private_env(tmp_path_factory.mktemp("present-home")))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTEFACTS / "presenter-server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(serve.voila_command(root, port, token), cwd=root, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = servers.Server("voila", port, token, process, log_path, env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, server.log()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, server.log()[-3000:]
                time.sleep(0.2)
        yield server, serve.urls(pages, port, token)
    finally:
        server.stop()


# Every visible piece of the presenter: where it is, whether its text is cut (ellipsis), its font size.
PIECES = """() => {
  const visible = e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden';
  const pieces = [];
  const add = (e, kind) => {
    const r = e.getBoundingClientRect();
    pieces.push({kind, text: e.textContent.trim().slice(0, 40), left: r.left, top: r.top, right: r.right,
                 bottom: r.bottom, width: r.width, cut: e.scrollWidth > e.clientWidth + 1,
                 font: parseFloat(getComputedStyle(e).fontSize)});
  };
  const root = document.querySelector('.presenter-root');
  for (const e of root.querySelectorAll('.widget-label, .widget-readout, button, select')) if (visible(e)) add(e, 'control');
  for (const e of root.querySelectorAll('.presenter-panel .widget-slider')) if (visible(e)) add(e, 'slider');
  for (const e of root.querySelectorAll('.presenter-panel img')) if (visible(e)) add(e, 'figure');
  for (const e of root.querySelectorAll('.presenter-title, .presenter-caption-text, .presenter-code code')) add(e, 'text');
  return {pieces, scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight]};
}"""

STATE = """() => ({
  caption: document.querySelector('.presenter-caption-text').textContent,
  offTour: !!document.querySelector('.presenter-off-tour'),
  counter: document.querySelector('.presenter-counter').textContent.trim(),
  title: document.querySelector('.presenter-title').textContent.trim(),
  summary: document.querySelector('.presenter-summary pre').textContent,
  readouts: [...document.querySelectorAll('.presenter-panel')].filter(p => p.offsetParent !== null)
            .flatMap(p => [...p.querySelectorAll('.widget-readout')].map(r => r.textContent.trim())),
  readout: [...document.querySelectorAll('.presenter-readout')].filter(r => r.closest('.presenter-panel')
            .offsetParent !== null).map(r => r.textContent)[0],
  src: [...document.querySelectorAll('.presenter-panel img')].filter(i => i.offsetParent !== null)[0].src,
})"""


def check_fits(page, what: str) -> None:
    """Everything inside the 1024×768 window, no text cut short, text large enough for a projector."""
    found = page.evaluate(PIECES)
    assert found["scroll"][0] <= WIDTH and found["scroll"][1] <= HEIGHT, (what, found["scroll"])
    for piece in found["pieces"]:
        inside = piece["left"] >= 0 and piece["top"] >= 0 and piece["right"] <= WIDTH and piece["bottom"] <= HEIGHT
        assert inside, (what, piece)
        assert not (piece["kind"] == "control" and piece["cut"]), (what, piece)
    figure = next(p for p in found["pieces"] if p["kind"] == "figure")
    assert figure["width"] >= 0.95 * (WIDTH - 24), (what, figure)  # the window's width, less its margins
    caption = next(p for p in found["pieces"] if p["kind"] == "text" and p["font"] >= 24 and p["top"] > figure["bottom"] - 1)
    assert caption["text"], (what, found)  # the caption: large and under the figure
    assert min(p["font"] for p in found["pieces"] if p["kind"] == "control") >= 15, what


def from_code(name: str, k: int) -> tuple[str, str]:
    """The summary and the readout's text of a fresh panel set from code to the tour's state ``k``."""
    panel = tours.panel_class(NOTEBOOK, name)()
    panel.set(**tours.tour(NOTEBOOK, name)[k][0])
    return panel.summary(), html.unescape(re.sub(r"<[^>]+>", "", panel.readout.value))


def wait_for_change(page, before: dict, keys: tuple[str, ...] = ("caption", "src")) -> dict:
    page.wait_for_function("""([before, keys]) => {
        const c = document.querySelector('.presenter-caption-text');
        const img = [...document.querySelectorAll('.presenter-panel img')].filter(i => i.offsetParent !== null)[0];
        const now = {caption: c && c.textContent, src: img && img.src,
                     counter: document.querySelector('.presenter-counter').textContent.trim(),
                     summary: document.querySelector('.presenter-summary pre').textContent};
        return keys.every(k => now[k] !== before[k]) && img.complete;
    }""", arg=[before, list(keys)], timeout=20_000)
    page.wait_for_timeout(200)
    return page.evaluate(STATE)


def press(page, key: str, before: dict) -> dict:
    page.keyboard.press(key)
    return wait_for_change(page, before, ("counter",))


def test_presenter_page_of_01(page, presenter_server):
    _, urls = presenter_server
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(next(u for u in urls if f"/{NOTEBOOK}.ipynb" in u))
    page.wait_for_function("""() => { const i = document.querySelector('.presenter-panel img');
        return i && /^data:/.test(i.src) && i.complete && i.naturalWidth > 0
               && document.querySelector('.presenter-caption-text'); }""", timeout=90_000)
    page.wait_for_timeout(500)
    assert not page.query_selector(".jp-InputArea:visible"), "code is shown"
    stops = tours.tour(NOTEBOOK)
    first = page.evaluate(STATE)
    assert first["caption"] == stops[0][1] and first["counter"] == f"1 / {len(stops)}" and not first["offTour"]
    check_fits(page, "first stop")
    page.screenshot(path=str(ARTEFACTS / "presenter-01-stop1.png"))

    # PageDown: the next state, with a new picture and a new caption; the same as set from code.
    page.keyboard.press("PageDown")
    second = wait_for_change(page, first)
    assert second["caption"] == stops[1][1] and second["counter"] == f"2 / {len(stops)}"
    summary, readout = from_code("panel", 1)
    assert second["summary"].strip() == summary and second["readout"] == readout
    assert second["readouts"][0] == f"{stops[1][0]['gamma']:.2f}"  # the γ₀ slider shows the state too
    page.screenshot(path=str(ARTEFACTS / "presenter-01-stop2.png"))

    # The arrows step too; Home goes back to the first state.
    third = press(page, "ArrowRight", second)
    assert third["counter"] == f"3 / {len(stops)}" and third["summary"].strip() == from_code("panel", 2)[0]
    assert press(page, "ArrowLeft", third)["counter"] == f"2 / {len(stops)}"
    again = press(page, "ArrowDown", second)
    home = press(page, "Home", again)
    assert home["counter"] == f"1 / {len(stops)}" and home["summary"] == first["summary"]
    assert press(page, "PageDown", home)["caption"] == stops[1][1]

    # B blanks the screen (and B brings it back); no step is taken meanwhile.
    page.keyboard.press("b")
    blank = page.evaluate("""() => { const b = document.getElementById('presenter-blank').getBoundingClientRect();
        return [getComputedStyle(document.getElementById('presenter-blank')).display, b.width, b.height]; }""")
    assert blank == ["block", WIDTH, HEIGHT], blank
    page.screenshot(path=str(ARTEFACTS / "presenter-01-blank.png"))
    page.keyboard.press("B")
    assert page.evaluate("getComputedStyle(document.getElementById('presenter-blank')).display") == "none"
    assert page.evaluate(STATE)["counter"] == f"2 / {len(stops)}"

    # The sliders still work between steps: a drag redraws and greys the caption; PageDown goes on.
    before = page.evaluate(STATE)
    slider = page.locator(".presenter-panel .widget-slider").first
    track, handle = slider.locator(".noUi-base").bounding_box(), slider.locator(".noUi-handle").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] + 0.2 * track["width"], handle["y"] + handle["height"] / 2, steps=6)
    page.mouse.up()
    moved = wait_for_change(page, before, ("src", "summary"))
    page.wait_for_function("() => !!document.querySelector('.presenter-off-tour')", timeout=10_000)
    assert moved["readouts"][0] != before["readouts"][0] and moved["counter"] == before["counter"]
    on = press(page, "PageDown", page.evaluate(STATE))  # the focused slider handle does not take the key
    assert on["counter"] == f"3 / {len(stops)}" and not on["offTour"]
    assert on["summary"].strip() == from_code("panel", 2)[0]

    # On past the last stop: the lesson's second panel, which fits as well.
    state = on
    while state["counter"] != f"1 / {len(tours.tour(NOTEBOOK, 'decay_panel'))}":
        state = press(page, "PageDown", state)
    assert state["title"] == tours.TITLES[NOTEBOOK]["decay_panel"]
    assert state["summary"].strip() == from_code("decay_panel", 0)[0]
    check_fits(page, "decay panel")
    page.screenshot(path=str(ARTEFACTS / "presenter-01-decay.png"))


# The two tallest layouts (04: step buttons and the step's own caption; 06: two rows of controls and a
# two-line `panel.set(...)`); every lesson's page was looked at by hand at 1024×768. Each page costs a
# kernel start (about 10 s on a busy two-core machine), so not all of them are loaded here.
@pytest.mark.parametrize("notebook", ["04_computation_graph", "06_two_layer_network"])
def test_the_tallest_presenter_pages_fit_a_projector(page, presenter_server, notebook):
    """The first state of the lesson's tour: shown, with its caption, nothing cut off at 1024×768."""
    _, urls = presenter_server
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(next(u for u in urls if f"/{notebook}.ipynb" in u))
    page.wait_for_function("""() => { const i = document.querySelector('.presenter-panel img');
        return i && /^data:/.test(i.src) && i.complete && i.naturalWidth > 0
               && document.querySelector('.presenter-caption-text'); }""", timeout=90_000)
    page.wait_for_timeout(300)
    state = page.evaluate(STATE)
    first = next(iter(tours.TOURS[notebook].values()))
    assert state["caption"] == first[0][1]
    check_fits(page, notebook)
    page.screenshot(path=str(ARTEFACTS / f"presenter-{notebook[:2]}.png"))
