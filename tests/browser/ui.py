"""What a student does in the page: run all cells, read prompts and outputs, drag sliders."""

from __future__ import annotations

import re

ALL_PROMPTS_NUMBERED = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}"""

# Outputs that must never appear: stderr (warnings), errors/tracebacks, widgets that failed to render.
BAD_OUTPUTS = """() => {
  const bad = [];
  for (const e of document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]'))
    bad.push('stderr: ' + e.textContent.slice(0, 500));
  for (const e of document.querySelectorAll('.jp-OutputArea-output'))
    if (/Error displaying widget|Traceback|Warning:|Failed to load model/.test(e.textContent))
      bad.push('output: ' + e.textContent.slice(0, 500));
  return bad;
}"""

SLIDERS = """() => [...document.querySelectorAll('.jp-OutputArea-output .widget-slider')].map((s, i) => ({
  index: i, label: s.querySelector('.widget-label')?.textContent ?? '',
  disabled: s.querySelector('.widget-readout')?.getAttribute('contenteditable') !== 'true',
  readout: s.querySelector('.widget-readout')?.textContent.trim() ?? '',
  now: s.querySelector('.noUi-handle')?.getAttribute('aria-valuetext'),
}))"""

SLIDER_STATE = """(i) => {
  const s = document.querySelectorAll('.jp-OutputArea-output .widget-slider')[i];
  const img = s.closest('.jp-OutputArea-output').querySelector('img');
  return {readout: s.querySelector('.widget-readout').textContent.trim(),
          now: s.querySelector('.noUi-handle').getAttribute('aria-valuetext'),
          src: img ? img.src : null};
}"""


def menu(page, top: str, item: str) -> None:
    """Click a menu-bar entry and an item of its menu (JupyterLab and Notebook 7 share them)."""
    page.click(f'.lm-MenuBar-itemLabel:text-is("{top}")')
    page.click(f'.lm-Menu-itemLabel:text-is("{item}")')


def wait_for_idle_kernel(page, timeout: float = 60_000) -> None:
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', state="attached",
                           timeout=timeout)


def run_all(page, timeout: float = 60_000) -> list[int]:
    """Clear the stored outputs, run every cell, wait for every prompt to be numbered; the numbers."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                              .every(e => !/\\d/.test(e.textContent))""")
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(ALL_PROMPTS_NUMBERED, timeout=timeout)
    wait_for_idle_kernel(page, timeout)
    prompts = page.eval_on_selector_all('.jp-CodeCell .jp-InputPrompt', "es => es.map(e => e.textContent)")
    return [int(re.search(r"\d+", p).group()) for p in prompts]


def wait_for_widgets(page, expected_sliders: int = 1, timeout: float = 30_000) -> None:
    """Wait until the widget manager has rendered sliders with a plot image beside them."""
    page.wait_for_function(f"""() => document.querySelectorAll('.jp-OutputArea-output .widget-slider').length
                               >= {expected_sliders} && [...document.querySelectorAll('.jp-OutputArea-output img.widget-image')]
                               .every(i => /^(blob|data):/.test(i.src) && i.complete && i.naturalWidth > 0)""",
                           timeout=timeout)


def drag_slider(page, index: int) -> tuple[dict, dict]:
    """Drag slider ``index`` by the mouse to 30 % or 75 % of its track; its state before and after."""
    before = page.evaluate(SLIDER_STATE, index)
    slider = page.locator('.jp-OutputArea-output .widget-slider').nth(index)
    slider.scroll_into_view_if_needed()
    track = slider.locator('.noUi-base').bounding_box()
    handle = slider.locator('.noUi-handle').bounding_box()
    x0, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    fraction = 0.75 if (x0 - track["x"]) / track["width"] < 0.5 else 0.3
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=8)
    page.mouse.up()
    page.wait_for_function("""([i, before]) => {
        const s = document.querySelectorAll('.jp-OutputArea-output .widget-slider')[i];
        const img = s.closest('.jp-OutputArea-output').querySelector('img');
        return s.querySelector('.widget-readout').textContent.trim() !== before.readout
               && (!img || img.src !== before.src);
    }""", arg=[index, before], timeout=10_000)
    page.wait_for_timeout(300)  # let the last 'slide' of the drag arrive too
    return before, page.evaluate(SLIDER_STATE, index)


def readout_matches(readout: str, handle: str) -> bool:
    """Whether the readout text shows the handle's value (linear slider), 10**value (log slider),
    or, for a selection slider whose handle holds an index, an option label."""
    text = readout.replace("\u2212", "-")  # ipywidgets formats negatives with a Unicode minus
    try:
        shown, value = float(text), float(handle)
    except ValueError:
        return True  # a text label of a SelectionSlider: changed is all we can check
    decimals = len(text.split(".")[1]) if "." in text else 0
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    if abs(shown - value) <= tolerance or abs(shown - 10 ** value) <= max(tolerance, 0.01 * abs(shown)):
        return True
    return value == int(value) and value >= 0  # SelectionSlider over numbers: the handle holds the index


def check_sliders(page) -> list[str]:
    """Drag every enabled slider; assert the readout shows the new value and the plot changed."""
    moved = []
    for s in page.evaluate(SLIDERS):
        if s["disabled"]:
            continue  # e.g. the decay slider under the constant schedule
        before, after = drag_slider(page, s["index"])
        assert after["readout"] != before["readout"], s
        assert readout_matches(after["readout"], after["now"]), (s, after)
        assert after["src"] is not None and after["src"] != before["src"], f"plot did not change: {s}"
        moved.append(s["label"])
    return moved


# Latency: from the pointermove that drags the handle to the picture of the new value on screen.
INSTALL_LATENCY_PROBE = """(i) => {
  const s = document.querySelectorAll('.jp-OutputArea-output .widget-slider')[i];
  const img = s.closest('.jp-OutputArea-output').querySelector('img');
  if (window.__latencyProbe) window.__latencyProbe.abort();  // one probe at a time
  const probe = window.__latencyProbe = new AbortController();
  window.__latency = [];       // to the frame that shows the new picture (its requestAnimationFrame)
  window.__latencyPainted = [];  // to the end of that frame's main-thread work (style, layout, paint)
  const waiting = [];
  // A promise for the n-th measured move. The test awaits it instead of polling the page every
  // frame (Playwright's wait_for_function does that), which would keep the browser drawing frames
  // and take CPU from the kernel.
  window.__afterMoves = (n, ms) => new Promise((resolve, reject) => {
    if (window.__latencyPainted.length >= n) return resolve();
    waiting.push({n, resolve});
    setTimeout(() => reject(new Error(`no picture for move ${n} within ${ms} ms`)), ms);
  });
  let pending = null, answer = null;
  // The input event: the pointer moving the pressed handle (noUiSlider listens to it on the document).
  document.addEventListener('pointermove', e => {
    if (e.buttons) { pending = e.timeStamp; answer = null; }
  }, {capture: true, signal: probe.signal});
  // The picture that answers this move: the first PNG the Image widget shows after it.
  const observer = new MutationObserver(() => { if (pending !== null && answer === null) answer = img.src; });
  observer.observe(img, {attributes: true, attributeFilter: ['src']});
  probe.signal.addEventListener('abort', () => observer.disconnect());
  // On screen once that PNG has loaded and the next frame is drawn.
  img.addEventListener('load', () => {
    if (pending === null || answer === null || img.src !== answer) return;
    const start = pending; pending = null; answer = null;
    requestAnimationFrame(() => {
      window.__latency.push(performance.now() - start);
      const channel = new MessageChannel();  // a task queued now runs once the frame's work is done
      channel.port1.onmessage = () => {
        window.__latencyPainted.push(performance.now() - start);
        for (const w of waiting.filter(w => window.__latencyPainted.length >= w.n)) w.resolve();
      };
      channel.port2.postMessage(null);
    });
  }, {signal: probe.signal});
}"""


def settle_into_view(locator, timeout: float = 10.0) -> dict:
    """Scroll ``locator`` into view until it stops moving (cells above it may still be laid out,
    e.g. with JupyterLab's default windowing, which renders cells only near the viewport); its box."""
    page = locator.page
    last = None
    for _ in range(int(timeout / 0.25)):
        locator.scroll_into_view_if_needed()
        page.wait_for_timeout(250)
        box = locator.bounding_box()
        if box == last:
            return box
        last = box
    raise AssertionError(f"{locator} kept moving for {timeout} s")


def measure_latency(page, index: int, style: str = "drag", moves: int = 14,
                    warmup: int = 2) -> tuple[list[float], list[float]]:
    """Move slider ``index`` to alternating places, one move at a time, each awaited on screen.

    ``style="drag"``: press the handle once, then one pointer move per step, release at the end
    (an instructor dragging). ``style="press-move-release"``: every move is a press, one step
    and a release (a student clicking and flicking the handle); ipywidgets' slider (noUiSlider)
    changes the page's cursor style on press and on release, and the browser restyles the whole
    page each time.
    Returns the in-page latencies in ms of each move after the warm-up: to the requestAnimationFrame
    of the frame that shows the new picture, and to the end of that frame's main-thread work.
    """
    if style not in ("drag", "press-move-release"):
        raise ValueError(f"style must be 'drag' or 'press-move-release', got {style!r}")
    page.evaluate(INSTALL_LATENCY_PROBE, index)
    slider = page.locator('.jp-OutputArea-output .widget-slider').nth(index)
    settle_into_view(slider.locator('xpath=ancestor::*[contains(@class, "jp-OutputArea-output")]'))
    track = slider.locator('.noUi-base').bounding_box()
    handle = slider.locator('.noUi-handle')
    y = track["y"] + track["height"] / 2
    fractions = [0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.9, 0.1]

    def press_handle() -> None:
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.down()

    if style == "drag":
        press_handle()
        page.wait_for_timeout(200)
    for k in range(moves + warmup):
        before = handle.get_attribute("aria-valuetext")
        if style == "press-move-release":
            press_handle()
        page.mouse.move(track["x"] + fractions[k % len(fractions)] * track["width"], y)  # one step
        if style == "press-move-release":
            page.mouse.up()
        page.evaluate("([n, ms]) => window.__afterMoves(n, ms)", [k + 1, 10_000])
        assert handle.get_attribute("aria-valuetext") != before, f"move {k} did not move the handle"
        page.wait_for_timeout(150)  # one move at a time
    if style == "drag":
        page.mouse.up()
    to_frame, painted = page.evaluate("[window.__latency, window.__latencyPainted]")
    return to_frame[warmup:], painted[warmup:]


# --- the live panels in the page and in the kernel ------------------------------------------------

def kernel_run(server, code: str, timeout: float = 60) -> str:
    """Run ``code`` in the server's one kernel as a second client (beside the page); what it printed."""
    import json as _json  # noqa: F401 (kept local: the module's other helpers need no kernel client)
    from pathlib import Path

    from jupyter_client import BlockingKernelClient

    (kernel,) = server.api("kernels")
    client = BlockingKernelClient(connection_file=str(Path(server.env["JUPYTER_RUNTIME_DIR"])
                                                      / f"kernel-{kernel['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    printed: list[str] = []
    errors: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            errors.append("\n".join(msg["content"]["traceback"]))

    try:
        client.execute_interactive(code, store_history=False, timeout=timeout, output_hook=hook)
    finally:
        client.stop_channels()
    assert not errors, errors
    return "".join(printed)


# The kernel's panels (every lecture_utils Panel bound to a name), in the order they were built, each
# as the page should show it: its controls, text readouts, buttons and picture, in the widget tree's order.
KERNEL_PANELS = r"""
import hashlib as _hashlib, html as _html, json as _json, re as _re, warnings as _warnings
import ipywidgets as _w

def _is_panel(_v):
    return any(_c.__name__ == "Panel" and _c.__module__ == "lecture_utils.widgets.core" for _c in type(_v).__mro__)

def _dom_items(_x):
    if isinstance(_x, _w.Box):
        return [_i for _c in _x.children for _i in _dom_items(_c)]
    if isinstance(_x, (_w.FloatSlider, _w.IntSlider)):
        return [["slider", _x.description, format(_x.value, _x.readout_format).replace("-", "\u2212")]]
    if isinstance(_x, (_w.SelectionSlider, _w.Dropdown)):
        return [["slider" if isinstance(_x, _w.SelectionSlider) else "choice", _x.description, str(_x.label)]]
    if isinstance(_x, _w.HTML):
        return [["text", _re.sub(r"\s+", "", _html.unescape(_re.sub(r"<[^>]*>", "", _x.value)))]]
    if isinstance(_x, _w.Button):
        return [["button", _x.description, bool(_x.disabled)]]
    if isinstance(_x, _w.Image):
        return [["picture", _hashlib.sha256(bytes(_x.value)).hexdigest()[:16]]]
    return []

def _min_font_px(_panel):
    from matplotlib.text import Text as _Text
    _sizes = [_t.get_fontsize() * _live.fig.dpi / 72 for _live in vars(_panel).values()
              if type(_live).__name__ == "LiveFigure" for _t in _live.fig.findobj(_Text)
              if _t.get_visible() and _t.get_text().strip()]
    return min(_sizes) if _sizes else None

with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _order = list(getattr(_w.widgets.widget, "_instances", None) or _w.Widget.widgets)
_panels = {id(_v): (_k, _v) for _k, _v in list(globals().items()) if not _k.startswith("_") and _is_panel(_v)
           and getattr(_v, "widget", None) is not None}
print(_json.dumps([dict(name=_k, summary=_p.summary(), state=_p.state_code(_k), items=_dom_items(_p.widget),
                        min_font_px=_min_font_px(_p))
                   for _k, _p in sorted(_panels.values(), key=lambda kv: _order.index(kv[1].widget.model_id))]))
"""


def kernel_panels(server) -> list[dict]:
    """Every panel in the kernel (name, summary(), state_code(), what the page should show), in build order."""
    import json
    return json.loads(kernel_run(server, KERNEL_PANELS))


# The panels in the page: the output areas that hold a widget with a plot image, in the page's order;
# each with the same items as KERNEL_PANELS lists (the picture as a hash of its data URL).
PAGE_PANELS = r"""async () => {
  const norm = t => t.replace(/\s+/g, '');
  const plain = t => t.replace(/\u00a0/g, ' ').trim();  // a drop-down shows its spaces as no-break spaces
  const hash = async s => [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)))]
      .map(b => b.toString(16).padStart(2, '0')).join('').slice(0, 16);
  const areas = [...document.querySelectorAll('.jp-OutputArea-output')].filter(a => a.querySelector('img.widget-image'));
  const panels = [];
  for (const area of areas) {
    const items = [];
    for (const e of area.querySelectorAll('.widget-slider, .widget-dropdown, .widget-html, .widget-button, img.widget-image')) {
      const label = e.querySelector(':scope > .widget-label')?.textContent ?? '';
      if (e.classList.contains('widget-slider'))
        items.push(['slider', label, e.querySelector('.widget-readout').textContent.trim()]);
      else if (e.classList.contains('widget-dropdown')) {
        const select = e.querySelector('select');
        items.push(['choice', label, plain(select.options[select.selectedIndex]?.textContent ?? '')]);
      } else if (e.classList.contains('widget-html'))
        items.push(['text', norm(e.querySelector('.widget-html-content').textContent)]);
      else if (e.classList.contains('widget-button'))
        items.push(['button', e.textContent.trim(), e.disabled]);
      else
        items.push(['picture', await hash(e.src)]);
    }
    panels.push(items);
  }
  return panels;
}"""
