"""Start and stop throw-away Jupyter servers (JupyterLab, Notebook 7, Voila) for the browser tests.

Each server listens on 127.0.0.1 on a free port with a random token, and gets its own
config, data, runtime, settings and workspace directories (set through the JUPYTER_* and
JUPYTERLAB_* environment variables), so nothing from the user's own Jupyter set-up is read
or written. The news/announcements pop-up is switched off in that private settings
directory. The server is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent

# What a student has: JupyterLab's defaults, without the news pop-up. Used where the browser's
# speed is measured (the default windowing mode, "contentVisibility", lets the browser skip the
# styles and layout of cells out of view).
STUDENT_SETTINGS = {
    # No "get official Jupyter news?" toast, no update check.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}

# Arrow keys on a focused slider handle (ipywidgets' noUiSlider) in Notebook 7. Notebook 7 starts its
# application without JupyterLab's `bubblingKeydown: true` (notebook 7.6.5, app/index: `await app.start()`;
# JupyterLab 4.6.6 passes it), so its keyboard shortcuts see a keydown before the focused element does.
# The notebook's command-mode bindings for the four arrows (@jupyterlab/notebook-extension:tracker;
# selector ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus", which a focused handle
# matches) then move the active cell or jump to the previous/next heading instead of moving the slider.
# These shortcut settings switch those four bindings off and add them back for any focused element
# except a slider handle. The same JSON goes into a Jupyter overrides.json
# (@jupyterlab/shortcuts-extension:shortcuts) for students.
ARROW_BINDINGS = [("notebook:move-cursor-down", "ArrowDown"), ("notebook:move-cursor-up", "ArrowUp"),
                  ("notebook:move-cursor-heading-above-or-collapse", "ArrowLeft"),
                  ("notebook:move-cursor-heading-below-or-expand", "ArrowRight")]
COMMAND_MODE_FOCUS = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"
SLIDER_ARROW_KEYS = {
    "@jupyterlab/shortcuts-extension/shortcuts.jupyterlab-settings": {"shortcuts": [
        binding for command, key in ARROW_BINDINGS for binding in (
            {"command": command, "keys": [key], "selector": COMMAND_MODE_FOCUS, "disabled": True},
            {"command": command, "keys": [key], "selector": COMMAND_MODE_FOCUS + ":not(.noUi-handle)"})]},
}

# JupyterLab / Notebook 7 user settings written into the private settings directory.
USER_SETTINGS = {
    **STUDENT_SETTINGS,
    # Keep every cell in the DOM and rendered (windowing "none", which JupyterLab's settings call
    # "worst performance"), so all cells can be inspected. Not for measuring speed: see STUDENT_SETTINGS.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running Jupyter server: where it is and how to stop it."""

    kind: str
    port: int
    token: str
    process: subprocess.Popen
    log_path: Path
    env: dict = field(repr=False, default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """``path`` on this server with the token appended."""
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET") -> object:
        """Call the REST API (JSON in and out)."""
        request = urllib.request.Request(f"{self.base}/api/{path.lstrip('/')}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Shut the kernels down through the API, then stop the server by its PID."""
        if self.process.poll() is None and self.kind != "voila":
            try:
                for kernel in self.api("kernels"):
                    self.api(f"kernels/{kernel['id']}", method="DELETE")
            except (OSError, urllib.error.URLError, ValueError):
                pass
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)  # jupyter_server shuts its kernels down on SIGTERM
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def _answers(server: Server) -> bool:
    """Whether the server is up: the status API for Jupyter, an open port for Voila (whose pages run kernels)."""
    try:
        if server.kind == "voila":
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return True
        with urllib.request.urlopen(server.url("api/status"), timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def private_env(home: Path, settings: dict | None = None) -> dict:
    """Environment with fresh Jupyter directories under ``home`` and ``settings`` (default USER_SETTINGS)."""
    dirs = {name: home / sub for name, sub in (
        ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"), ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"),
        ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "matplotlib"))}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    for relative, values in (USER_SETTINGS if settings is None else settings).items():
        target = dirs["JUPYTERLAB_SETTINGS_DIR"] / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update({name: str(path) for name, path in dirs.items()})
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONWARNINGS"] = ""  # the notebooks must be clean without help
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def start(kind: str, root: Path, home: Path, log_dir: Path, notebook: str | None = None,
          timeout: float = 60.0, settings: dict | None = None, log_name: str | None = None) -> Server:
    """Start ``kind`` ('lab', 'notebook' or 'voila') serving ``root``; return once it answers.

    ``settings``: the JupyterLab user settings (default USER_SETTINGS); ``log_name``: the log
    file's name in ``log_dir`` (default ``<kind>-server.log``).
    """
    port, token = free_port(), secrets.token_hex(24)
    env = private_env(home, settings)
    common = [f"--port={port}", "--no-browser"]
    if kind in ("lab", "notebook"):
        command = [str(BIN / "jupyter"), kind, *common,
                   "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                   "--ServerApp.terminals_enabled=False", "--ServerApp.allow_remote_access=False"]
        if os.geteuid() == 0:  # CI runs as root
            command.append("--allow-root")
        if kind == "lab":
            command += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class="
                        "jupyterlab.handlers.announcements.NeverCheckForUpdate",
                        "--LabApp.extension_manager=readonly"]
    elif kind == "voila":
        command = [str(BIN / "voila"), *common, "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
                   f"--Voila.token={token}", f"--Voila.root_dir={root}"]
        if notebook:
            command.append(str(root / notebook))
    else:
        raise ValueError(f"kind must be 'lab', 'notebook' or 'voila', got {kind!r}")
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / (log_name or f"{kind}-server.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = Server(kind, port, token, process, log_path, env)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} server exited with code {process.returncode}:\n{server.log()[-3000:]}")
        if _answers(server):
            return server
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{kind} server did not answer within {timeout:.0f} s:\n{server.log()[-3000:]}")
        time.sleep(0.2)
