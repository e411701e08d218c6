"""`make present`: serve each lesson's live panels as a presenter page with Voilà, on 127.0.0.1 only.

Writes one small notebook per lesson into build/present/ (it only calls
``lecture_utils.widgets.presenter.present``, which shows the lesson's panels and their tours
from ``lecture_utils.tours``), then starts Voilà with the ``present`` template of this
folder (voila/templates/present: code hidden, full-window panels, clicker keys) and prints
one URL per lesson. Stop it with Ctrl-C.

    .venv/bin/python tools/present/serve.py [--port 8866]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))  # lecture_utils, even when it is not pip-installed

from lecture_utils import tours  # noqa: E402

BUILD = REPO / "build" / "present"
CELL = "from lecture_utils.widgets.presenter import present\n\npresent({notebook!r})"


def write_pages(out: Path = BUILD) -> list[Path]:
    """One presenter notebook per lesson that has tours (and exists in notebooks/); their paths."""
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for notebook in tours.TOURS:
        lesson = REPO / "notebooks" / f"{notebook}.ipynb"
        if not lesson.exists():
            continue
        title = next((line.lstrip("# ").strip() for cell in nbformat.read(lesson, as_version=4).cells
                      if cell.cell_type == "markdown" for line in cell.source.splitlines()
                      if line.startswith("# ")), notebook)
        page = nbformat.v4.new_notebook(metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "title": f"{title} (presenter)"})
        page.cells = [nbformat.v4.new_code_cell(CELL.format(notebook=notebook))]
        path = out / lesson.name
        nbformat.write(page, path)
        pages.append(path)
    return pages


def voila_command(root: Path, port: int, token: str) -> list[str]:
    """The Voilà command line serving the presenter pages in ``root`` on 127.0.0.1:``port``."""
    return [str(Path(sys.executable).parent / "voila"), "--no-browser", "--template=present",
            "--Voila.ip=127.0.0.1", f"--port={port}", "--Voila.port_retries=0", f"--Voila.token={token}",
            f"--Voila.root_dir={root}"]


def voila_env(env: dict | None = None) -> dict:
    """``env`` (default: this process's) with this folder on JUPYTER_PATH, where Voilà finds the template."""
    env = dict(os.environ if env is None else env)
    env["JUPYTER_PATH"] = os.pathsep.join([str(HERE), *filter(None, [env.get("JUPYTER_PATH")])])
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return env


def urls(pages: list[Path], port: int, token: str) -> list[str]:
    """The address of each presenter page."""
    return [f"http://127.0.0.1:{port}/voila/render/{page.name}?token={token}" for page in pages]


def wait_until_listening(process: subprocess.Popen, port: int, timeout: float = 120.0) -> None:
    """Return once something listens on 127.0.0.1:``port``; raise if Voilà exits or never does."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"Voila did not start on port {port} (exit code {process.poll()}); see its messages above")


def main() -> None:
    """Write the pages, start Voilà, print the pages' URLs once it answers, and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    args = parser.parse_args()
    pages = write_pages()
    token = secrets.token_hex(16)
    process = subprocess.Popen(voila_command(BUILD, args.port, token), cwd=BUILD, env=voila_env())
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())  # stopping this script stops Voilà
    try:
        wait_until_listening(process, args.port)
        print("\nPresenter pages (PageDown/PageUp or the arrows: next/previous state, Home: first state, "
              "B: blank screen):")
        for page, url in zip(pages, urls(pages, args.port, token)):
            print(f"  {page.stem}: {url}")
        print("Stop with Ctrl-C.", flush=True)
        sys.exit(process.wait())
    except KeyboardInterrupt:
        pass
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
