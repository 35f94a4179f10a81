# One entry point for students' staff: every target bootstraps .venv from the pinned requirements.
#   make grade                      grade the bundled example class (examples/) into grades/
#   make grade ASSIGNMENT=<id> SUBMISSIONS=<dir> OUT=<dir> [STUDENT="Blaise Pascal,bob"] [FORCE=1] [JOBS=4] [ARGS=...]
#   make release [ASSIGNMENT=<id>]  build and gate dist/<id>/ (every problem at once; unchanged work reused) [ARGS=--no-gate]
#   make new-assignment ID=<id> TITLE="..."  every part of a new assignment, ready to release
#   make handout [ASSIGNMENT=<id>]  rewrite the handout's generated block; list where it disagrees with the suite
#   make test                       the project's own tests, fast lane (under 3 minutes)
#   make test-all                   ... and the slow lane: full example classes, attacks, every otter run
#   make bench                      benchmarks (ratios measured side by side)
#   make gradescope-image           forward_mode's bundle in a Gradescope-like image, as root (tools/gradescope_image/)
# Python 3.11 (python3.11 if present, else python3)
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# every assignments/<id>/assignment.toml (the registry needs only the standard library, no .venv)
ASSIGNMENTS = $(shell $(PYTHON) -m autograder.engine.registry ids)
ASSIGNMENT ?= $(ASSIGNMENTS)
SUBMISSIONS ?= examples
OUT ?= grades
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Set on the command line only (not picked up from the environment, where these names are common).
STUDENT :=
FORCE :=
ARGS :=
ID :=
TITLE :=
# The grader runs with python -P (the current folder is not on sys.path): the project is found
# through PYTHONPATH, set to this folder explicitly.
RUN := PYTHONPATH="$(CURDIR)" $(PY) -P -m
# STUDENT: names separated by commas, each as it is (spaces included); passed in single quotes
GRADE_OPTIONS = --jobs $(JOBS) --out $(OUT) --submissions $(SUBMISSIONS) \
	$(if $(STUDENT),--students '$(subst ','\'',$(STUDENT))') $(if $(filter-out 0 no false,$(FORCE)),--force) $(ARGS)

.PHONY: help setup grade release new-assignment handout test test-slow test-all bench clean

help:
	@sed -n '2,10p' Makefile | sed 's/^# \{0,1\}//'

$(VENV)/.ready: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "error: need Python 3.11 (found: $(PYTHON)); install it or run make PYTHON=/path/to/python3.11"; exit 1; }
	@echo "== setting up $(VENV) (first run only: about 100 packages, a few minutes)"
	@echo "-- 1/4 creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "-- 2/4 upgrading pip"
	$(PY) -m pip install --progress-bar on --upgrade pip
	@echo "-- 3/4 installing requirements.txt (pip prints each package as it goes)"
	$(PY) -m pip install --progress-bar on -r requirements.txt
	@echo "-- 4/4 registering the python3 Jupyter kernel otter runs submissions in"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (18.065)"
	@touch $@

setup: $(VENV)/.ready

# otter run -a dist/<id>/autograder.zip file.py imports the bundle's own engine with no PYTHONPATH:
# a finder in .venv answers for `autograder` inside otter's layout (autograder/gradescope/bundle_import.py)
setup: $(VENV)/.bundle-import
$(VENV)/.bundle-import: autograder/gradescope/bundle_import.py $(VENV)/.ready
	@site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') && \
	cp autograder/gradescope/bundle_import.py "$$site/_autograder_bundle_import.py" && \
	echo 'import _autograder_bundle_import; _autograder_bundle_import.install()' > "$$site/_autograder_bundle_import.pth"
	@touch $@

grade: setup
	$(RUN) autograder.engine.grade $(GRADE_OPTIONS) $(ASSIGNMENT)

release: setup
	$(RUN) autograder.authoring.release $(ARGS) $(ASSIGNMENT)

# ID and TITLE: each passed in single quotes, as it is (quotes included)
new-assignment: setup
	$(if $(and $(ID),$(TITLE)),,$(error make new-assignment needs both ID and TITLE: make new-assignment ID=<id> TITLE="..."))
	$(RUN) autograder.authoring.scaffold '$(subst ','\'',$(ID))' --title '$(subst ','\'',$(TITLE))'

handout: setup
	$(RUN) autograder.authoring.handout $(ASSIGNMENT)

test: setup
	$(PY) -m pytest -q -m "not slow" tests

test-slow: setup
	$(PY) -m pytest -q -m slow tests

test-all: setup
	$(PY) -m pytest -q tests

bench: setup
	$(PY) -m autograder.bench $(BENCH_ARGS)

clean:
	rm -rf dist grades build .pytest_cache

# A Gradescope-like image (tools/gradescope_image/README.md): Debian bookworm by debootstrap, the bundle
# installed by its own setup.sh, every kind of upload graded in a fresh container and compared with
# make grade.  Root only; the first run builds the image (~10 min), later runs reuse it (/var/cache).
.PHONY: gradescope-image
gradescope-image: setup
	$(PY) -m pytest -q -s -m slow tests/test_gradescope_image.py
