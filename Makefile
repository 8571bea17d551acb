# Signbench workbench: `make run` serves the app with one job worker, `make test` runs every test.
# Both set up what they need and are fast when everything is already in place.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PO     := $(wildcard workbench/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

# Let Python cache compiled modules even where the environment says not to: the tests
# start many interpreters (workers, CLI runs, memory probes), each of which would
# otherwise compile the whole package again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test lint typecheck lock init venv runtime-deps system-deps translations bench clean messages

# `workbench run` starts the web server and one job worker as two processes and stops
# both on Ctrl+C (or when either exits).
run: $(VENV)/.run-installed translations runtime-deps
	$(BIN)/workbench init --demo
	$(BIN)/workbench run --host $(HOST) --port $(PORT)

# Lint and type checks first (seconds), then the suite on every core (pytest-xdist).
PYTEST_WORKERS ?= auto
test: $(VENV)/.test-installed lint typecheck translations runtime-deps system-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# pyflakes, pycodestyle, bugbear and complexity (≤ 20 per function): see [tool.ruff] in pyproject.toml.
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

# mypy over workbench/, strict on the domain packages: see [tool.mypy] in pyproject.toml.
typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

init: $(VENV)/.run-installed translations
	$(BIN)/workbench init

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

# Installs come from the lock files (requirements/*.txt, pinned by `make lock`), so a clean
# clone gets exactly what CI tested; the project itself goes in without re-resolving.
# The embedded default: no neural extras.
$(VENV)/.run-installed: requirements/run.txt setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/run.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Everything: neural engines, browser-test tools, ruff and mypy. The lock pins torch to
# the local 2.13.0 CPU build (pip finds its file) instead of a CUDA one.
$(VENV)/.test-installed: requirements/test.txt setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.run-installed

# Re-pin after changing a dependency in setup.cfg: test.txt from the extras the tests use,
# then run.txt (the app alone) held to the same versions. pip-tools runs in its own venv
# so the project's venv is not touched. Existing pins stay; `make lock LOCK_ARGS=--upgrade`
# moves every pin to the newest release the ranges in setup.cfg allow.
LOCK_VENV := build/lock-venv
lock:
	[ -x $(LOCK_VENV)/bin/pip-compile ] || { $(PYTHON) -m venv $(LOCK_VENV) \
	  && $(LOCK_VENV)/bin/pip install --quiet 'pip-tools>=7.4,<8'; }
	$(LOCK_VENV)/bin/pip-compile --quiet $(LOCK_ARGS) --allow-unsafe --strip-extras \
	  --no-emit-find-links --no-emit-index-url \
	  --extra neural --extra test --extra lint -o requirements/test.txt setup.cfg
	$(LOCK_VENV)/bin/pip-compile --quiet $(LOCK_ARGS) --allow-unsafe --strip-extras \
	  --no-emit-find-links --no-emit-index-url \
	  -c requirements/test.txt -o requirements/run.txt setup.cfg

translations: $(MO)

%.mo: %.po | $(BIN)/python
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ 2>/dev/null || $(BIN)/pybabel compile -i $< -o $@

# What the app itself needs from the system: OpenCV (used by OCR) loads libGL and GLib;
# PDF proofs embed the TrueType CJK font WenQuanYi Micro Hei.
runtime-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q "libGL.so.1" \
	   || ! ldconfig -p 2>/dev/null | grep -q "libgthread-2.0.so.0" \
	   || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then \
	  echo "Installing libgl1, libglib2.0-0, fonts-wqy-microhei"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libgl1 libglib2.0-0 fonts-wqy-microhei >/dev/null; \
	fi

# Browser tests need Debian's chromium and CJK fonts (without them Chinese
# renders as empty boxes); PDF proofs need a TrueType CJK font; pdftoppm lets
# tests look at rendered pages; the OCR tests and benchmark draw sign photos
# with the CJK, DejaVu and Liberation fonts; OpenCV (used by OCR) loads libGL
# and GLib.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 \
	   || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	   || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" \
	   || ! fc-list 2>/dev/null | grep -qi "DejaVu Sans" \
	   || ! fc-list 2>/dev/null | grep -qi "Liberation Sans" \
	   || ! ldconfig -p 2>/dev/null | grep -q "libGL.so.1" \
	   || ! command -v pdftoppm >/dev/null 2>&1; then \
	  echo "Installing chromium, fonts-noto-cjk, fonts-wqy-microhei, fonts-dejavu-core, fonts-liberation, poppler-utils, libgl1, libglib2.0-0"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-noto-cjk fonts-wqy-microhei fonts-dejavu-core fonts-liberation poppler-utils \
	    libgl1 libglib2.0-0 >/dev/null; \
	fi

bench: $(VENV)/.test-installed translations system-deps
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts .pytest_cache .mypy_cache .ruff_cache

# Extract marked strings and merge them into the catalogs; then translate the
# new entries in workbench/translations/zh/LC_MESSAGES/messages.po.
messages: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k msg -k nmsg:1,2 -k N_ -o workbench/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i workbench/translations/messages.pot -d workbench/translations
