# Two commands do all the set-up: `make lab` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST := $(BIN)/python -m pytest

.PHONY: lab test test-slow install notebooks check-notebooks clean

$(BIN)/python:
	@echo "Creating the virtual environment .venv (once)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What the notebooks need (make lab), and the test tools on top (make test). Each is reinstalled
# only when the dependency list changes.
RUN_STAMP := $(VENV)/.runtime-stamp

$(RUN_STAMP): pyproject.toml tools/lab_overrides.json | $(BIN)/python
	@echo "Installing lecture_utils, JupyterLab and the notebooks' packages into .venv: about a minute, once."
	@echo "(pip lists each package as it goes; nothing here is needed again until pyproject.toml changes)"
	$(BIN)/python -m pip install -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/lab_overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json  # no news pop-up; arrow keys for sliders in Notebook 7
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml $(RUN_STAMP)
	@echo "Installing the test tools into .venv (pytest, nbval, hypothesis; once)..."
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# JupyterLab refuses to start as root (containers, this course's CI machines) without --allow-root.
# No news pop-up and no update check: a student opens the notebooks, nothing else.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,) --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate

lab: $(RUN_STAMP)
	@# The set-up contract is Python and make only: the alt-text extension is built when npm is already there
	@# (a few seconds, once), never installed for it.
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory image-alt || true; \
	else echo "(npm is not installed: figures keep their alt text in the notebooks, but JupyterLab will not show it)"; fi
	@echo "Starting JupyterLab on notebooks/ (stop it with Ctrl-C twice)..."
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

# Unit tests and every notebook (nbval strict: stored outputs are the expected results), in one
# pytest process on two workers; --dist loadscope keeps each notebook on one kernel.
test: install
	$(PYTEST) -n 2 --dist loadscope --nbval --nbval-current-env -p no:cacheprovider --ignore=tests/browser -m "not slow" tests notebooks

# The exhaustive sweeps, kept out of the quick loop (CI runs them): every panel control at its extremes,
# every entry point and panel fuzzed, every tour stop, the student copies run in a kernel, the benchmark scripts.
test-slow: install
	$(PYTEST) -n 2 --dist loadscope -p no:cacheprovider --ignore=tests/browser -m slow tests

# Re-execute every notebook in place in a fresh kernel and clean its metadata.
notebooks: install
	$(BIN)/python tools/execute_notebooks.py

# Student copies: student/NN_topic.ipynb for every notebook, with each cell tagged `solution` replaced
# by a stub and all outputs cleared (tools/make_student.py; docs/exercises_plan.md has the conventions).
.PHONY: student
student: $(RUN_STAMP)
	$(BIN)/python tools/make_student.py

# Determinism: execute every notebook again in memory; its text outputs must be byte-identical
# to the committed ones (nbval in `make test` is the other fresh run compared with them).
check-notebooks: install
	$(BIN)/python tools/execute_notebooks.py --check

# Portability: nbval strict over every notebook under other BLAS kernels, thread counts, locale,
# time zone and NumPy SIMD level (tools/test_portable.py lists them); stored outputs must hold on any CPU.
.PHONY: test-portable
test-portable: install
	$(BIN)/python tools/test_portable.py

clean:
	rm -rf $(VENV) .venv-oldest build .pytest_cache .hypothesis

# Real-browser tests (tests/browser): JupyterLab 4, Notebook 7 and Voila driven by Debian's
# Chromium through Playwright. Installs the apt package when it is missing (as root, as on CI;
# Playwright's own browser download is never used) and the `browser` extra, once.
BROWSER_STAMP := $(VENV)/.browser-stamp
CHROMIUM      := /usr/bin/chromium

$(BROWSER_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	touch $(BROWSER_STAMP)

$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation

# Alt text on figures (issue 21): JupyterLab 4 and Notebook 7 draw an image output without the alt text
# stored in its metadata; tools/image_alt/ is a prebuilt extension that puts it on the <img>, built here
# from npm packages (@jupyter/builder) and copied into .venv's labextensions. Nothing loads at run time.
IMAGE_ALT := $(VENV)/share/jupyter/labextensions/lecture-image-alt/package.json

$(IMAGE_ALT): tools/image_alt/index.js tools/image_alt/package.json | $(RUN_STAMP)
	command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm)
	rm -rf build/image-alt && mkdir -p build/image-alt
	cp tools/image_alt/index.js tools/image_alt/package.json build/image-alt/
	npm install --silent --no-audit --no-fund --prefix build/image-alt
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter labextension build build/image-alt
	rm -rf $(dir $(IMAGE_ALT)) && mkdir -p $(dir $(IMAGE_ALT))
	cp -r build/image-alt/labextension/. $(dir $(IMAGE_ALT))

.PHONY: image-alt
image-alt: $(IMAGE_ALT)

# axe-core (the accessibility audit of tests/browser/test_accessibility.py), from its npm package.
AXE_JS := build/axe/node_modules/axe-core/axe.min.js

$(AXE_JS):
	command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm)
	mkdir -p build/axe
	npm install --silent --no-audit --no-fund --prefix build/axe axe-core@4

.PHONY: test-browser
test-browser: install $(BROWSER_STAMP) $(CHROMIUM) $(IMAGE_ALT) $(AXE_JS)
	$(PYTEST) -p no:cacheprovider tests/browser

# Presenter pages for live demos (tools/present): each lesson's panels one a screen, stepped through
# their tours (lecture_utils/tours.py) with a clicker's keys. Voila on 127.0.0.1 (PORT=8866), one URL
# per lesson printed; Ctrl-C stops it. Installs the `browser` extra (Voila) once, like test-browser.
PORT ?= 8866
.PHONY: present
present: install $(BROWSER_STAMP)
	$(BIN)/python tools/present/serve.py --port $(PORT)

# The same tests against the oldest versions pyproject.toml declares (runtime dependencies pinned
# to their lower bounds, test tools newest). nbval runs lax: stored outputs come from the newest versions.
OLDEST       := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed-stamp

$(OLDEST_STAMP): pyproject.toml tools/oldest_constraints.py
	test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	mkdir -p build
	$(OLDEST)/bin/python tools/oldest_constraints.py > build/oldest-constraints.txt
	$(OLDEST)/bin/python -m pip install --quiet -c build/oldest-constraints.txt -e ".[test]"
	touch $(OLDEST_STAMP)

.PHONY: test-oldest
test-oldest: $(OLDEST_STAMP)
	$(OLDEST)/bin/python -m pip list 2>/dev/null | grep -iE "^(numpy|matplotlib|pillow|ipywidgets|ipykernel|jupyterlab|notebook) "
	$(OLDEST)/bin/python -m pytest -n 2 --dist loadscope --nbval-lax --nbval-current-env -p no:cacheprovider \
		-W "ignore::DeprecationWarning" --ignore=tests/browser tests notebooks

# Benchmarks (slider moves, notebook run times, backprop): writes benchmarks/results.json and prints a
# table. Takes a few minutes; the machine may be shared, so read the ratios, not the absolute numbers.
.PHONY: bench
bench: install
	$(BIN)/python -m benchmarks.run

# The static site (build/site/): every notebook as a page, every live panel as a baked player whose
# frames the panel itself renders at build time (tools/site/). Installs the `site` extra and MathJax
# (npm, into build/npm) once; the pages load nothing from the network. Prints the size and time budgets.
SITE_STAMP := $(VENV)/.site-stamp
MATHJAX_JS := build/npm/node_modules/mathjax/es5/tex-svg-full.js

$(SITE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,site]"
	touch $(SITE_STAMP)

$(MATHJAX_JS):
	command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm)
	mkdir -p build/npm
	npm install --silent --no-audit --no-fund --prefix build/npm mathjax@3

.PHONY: site test-site
site: install $(SITE_STAMP) $(MATHJAX_JS)
	$(BIN)/python tools/site/build.py

# The built pages in Chromium, offline (file://, every other request aborted): controls, readouts
# against the live panels' summary(), URL state, latency and size budgets.
test-site: site $(BROWSER_STAMP) $(CHROMIUM)
	SITE_TESTS=1 $(PYTEST) -p no:cacheprovider tests/site
