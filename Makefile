# One entry point for students' staff: every target bootstraps .venv from the pinned requirements.
#   make grade                      grade the bundled example class (examples/) into grades/
#   make grade ASSIGNMENT=<id> SUBMISSIONS=<dir> OUT=<dir>
#   make release [ASSIGNMENT=<id>]  build dist/<id>/{autograder,student,solutions}.zip (gated)
#   make test                       the project's own tests
#   make bench                      benchmarks (ratios measured side by side)
# Python 3.11 (python3.11 if present, else python3)
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
ASSIGNMENTS := forward_mode reverse_mode sgd_without_replacement matrix_chain
ASSIGNMENT ?= $(ASSIGNMENTS)
SUBMISSIONS ?= examples
OUT ?= grades
JOBS ?= 2

.PHONY: help setup grade release test bench clean

help:
	@sed -n '2,6p' Makefile | sed 's/^# \{0,1\}//'

$(VENV)/.ready: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "error: need Python 3.11 (found: $(PYTHON)); install it or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	# otter runs a .py submission in a Jupyter kernel named python3: register it inside the venv.
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (18.065)"
	@touch $@

setup: $(VENV)/.ready

grade: setup
	$(PY) -m autograder.engine.grade --jobs $(JOBS) --out $(OUT) --submissions $(SUBMISSIONS) $(ASSIGNMENT)

release: setup
	$(PY) -m autograder.engine.release $(ASSIGNMENT)

test: setup
	$(PY) -m pytest -q tests

bench: setup
	$(PY) -m autograder.bench $(BENCH_ARGS)

clean:
	rm -rf dist grades build .pytest_cache
