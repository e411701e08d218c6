"""Run every notebook under nbval strict in environments unlike this machine's (`make test-portable`).

Usage: python tools/test_portable.py [notebooks/NN_name.ipynb ...]   (default: all of notebooks/)

The stored outputs are the expected results on *any* machine, so each notebook
must reproduce them when the linear-algebra kernel, the thread count, the
locale, the time zone or NumPy's SIMD level changes. Each environment is one
pytest process over the notebooks (two workers); the table at the end says
which environments passed and which BLAS kernel and SIMD level each really
ran (read back from threadpoolctl and NumPy, so a setting that was ignored
shows). The exit code is 1 when any environment fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What each environment sets on top of this one.
ENVIRONMENTS = {
    "OpenBLAS Prescott kernel (SSE3 only)": {"OPENBLAS_CORETYPE": "Prescott"},
    # Locale and time zone ride along with a kernel change: one pass over the notebooks fewer in CI. On a
    # failure, export one setting at a time and run nbval on the notebook to see which one it is.
    "OpenBLAS Sandybridge kernel (AVX), C.UTF-8 locale, Asia/Kolkata time zone":
        {"OPENBLAS_CORETYPE": "Sandybridge", "LC_ALL": "C.UTF-8", "TZ": "Asia/Kolkata"},
    "OpenBLAS Haswell kernel, 2 threads": {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "2"},
}

# Printed by a child Python: the BLAS kernel in use and NumPy's SIMD features actually enabled.
PROBE = """
import json, numpy as np, threadpoolctl
try:
    from numpy._core._multiarray_umath import __cpu_features__ as on, __cpu_dispatch__ as dispatch
except ImportError:  # NumPy 1.x
    from numpy.core._multiarray_umath import __cpu_features__ as on, __cpu_dispatch__ as dispatch
blas = [i for i in threadpoolctl.threadpool_info() if i["internal_api"] in ("openblas", "mkl", "blis")]
print(json.dumps({"kernel": blas[0].get("architecture") if blas else None,
                  "threads": blas[0]["num_threads"] if blas else None,
                  "simd": [f for f in dispatch if on.get(f)]}))
"""


def probe(env: dict[str, str]) -> dict:
    """The BLAS kernel, thread count and enabled dispatched SIMD features a child process gets in env."""
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def environments() -> dict[str, dict[str, str]]:
    """ENVIRONMENTS, plus NumPy at its build-time baseline SIMD level where this CPU has more."""
    envs = dict(ENVIRONMENTS)
    extra = probe(dict(os.environ))["simd"]
    if extra:  # NumPy refuses to disable baseline features, so only the dispatched ones are listed
        envs["NumPy at its baseline SIMD level (no " + " ".join(extra) + ")"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(extra)}
    else:
        print("This CPU runs NumPy at its baseline SIMD level already: no second SIMD level to test.")
    return envs


def main(argv: list[str]) -> int:
    notebooks = argv or [str(p.relative_to(ROOT)) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    pytest = [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadscope", "--nbval", "--nbval-current-env",
              "-p", "no:cacheprovider", "-o", "addopts=", *notebooks]
    rows, failed = [], False
    for name, settings in environments().items():
        env = {**os.environ, **settings}
        seen = probe(env)
        start = time.perf_counter()
        result = subprocess.run(pytest, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        verdict = "pass" if result.returncode == 0 else "FAIL"
        failed |= result.returncode != 0
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
        rows.append((verdict, name, f"kernel {seen['kernel']}, {seen['threads']} thread(s), SIMD "
                     f"{'+'.join(seen['simd']) or 'baseline'}", summary, seconds))
        print(f"{verdict}: {name}: {summary} ({seconds:.0f} s)", flush=True)
        if result.returncode != 0:
            print(result.stdout[-6000:], result.stderr[-2000:], sep="\n", flush=True)
    print("\nnbval strict over", len(notebooks), "notebooks:")
    for verdict, name, seen, summary, seconds in rows:
        print(f"  {verdict}  {name}  [{seen}]  {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
