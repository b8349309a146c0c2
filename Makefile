# Developer and CI entry points. Every target is safe to run twice.
#   make site    build the site into site/ (strict: warnings are errors)
#   make sites   every audience's site into sites/: public/, internal/, one folder per customer
#   make serve   live preview on http://127.0.0.1:8000/
#   make test    the whole test suite, browser tests included (2 workers)
#   make test-fast  the quick loop: no whole-site builds, no browser
#   make lint    ruff (lint and format check) and the layers contract
#   make bench   the benchmark (bench/run.py)
#   make examples  extend the example results up to the last period closed before TODAY (default: the tests' date)
#   make clean   remove build outputs; `make distclean` also removes .venv

# Material >= 9.7 prints a banner about MkDocs 2 on every build; silence it.
export NO_MKDOCS_2_WARNING := 1

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Written after a successful install; pyproject.toml newer than it = reinstall.
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

SITES ?= sites

.PHONY: venv browser site sites serve test test-fast lint bench examples examples-notice clean distclean

venv: $(STAMP)

# Debian splits venv/ensurepip into python3-venv: as root, install it when
# `python3 -m venv` cannot work, otherwise say which package is missing.
$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  rm -rf $(VENV); \
	  if ! $(PYTHON) -m venv $(VENV); then \
	    rm -rf $(VENV); \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); \
	    else \
	      echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu run: sudo apt-get install -y python3-venv" >&2; \
	      exit 1; \
	    fi; \
	  fi; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# Playwright cannot download browsers here; the tests use Debian's chromium.
# node runs the review workflow's github-script step in its test; prometheus and
# promtool serve the collector's tests (`sla collect` against a real server).
browser:
	@if [ -x $(CHROMIUM) ] && command -v node >/dev/null && command -v prometheus >/dev/null && command -v promtool >/dev/null; then \
	  echo "browser: $(CHROMIUM); node: $$(command -v node); prometheus: $$(command -v prometheus)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium nodejs prometheus; \
	else \
	  echo "error: $(CHROMIUM), node or prometheus is missing; install them with: sudo apt-get update && sudo apt-get install -y chromium nodejs prometheus" >&2; \
	  exit 1; \
	fi

site: venv examples-notice
	$(VENV)/bin/mkdocs build --strict

# Each a complete site (own search index, sitemap, feed, 404); customer sites are private:
# see the README on hosting them.
sites: venv
	$(VENV)/bin/sla sites $(SITES)

serve: venv examples-notice
	$(VENV)/bin/mkdocs serve

test: venv browser
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-fast: venv
	$(PY) -m pytest -n 2 -m "not slow and not browser" $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check plugins site_tests bench scripts
	$(VENV)/bin/ruff format --check plugins site_tests bench scripts
	$(VENV)/bin/lint-imports --no-cache

bench: venv
	$(PY) bench/run.py

# The examples' committed results run up to the last periods closed before TODAY, the build date
# the tests pin (site_tests/helpers.py BUILD_DAY). Moving on: `make examples TODAY=YYYY-MM-DD`,
# then BUILD_DAY and this default to the same date, and commit the new files.
TODAY ?= 2026-12-01
examples: venv
	$(PY) scripts/extend_examples.py --today $(TODAY)

# `make site` and `make serve` build what is committed (never made-up data written by a build),
# and say so when the examples stop before the last period closed before the real date.
examples-notice:
	@$(PY) scripts/extend_examples.py --check --today $$(date -u +%F) >/dev/null || \
	  echo "note: the example results stop before the last closed period; 'make examples TODAY=$$(date -u +%F)' extends them"

clean:
	rm -rf site sites build bench/out .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -type d -name '*.egg-info' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
