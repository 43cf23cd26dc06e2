# The README's two commands: `make book` and `make test`.
# Both set up .venv on first use and again whenever a requirements file
# changes; nothing else on the machine is needed but Python 3.11, make and
# (for the book's vendored JavaScript, see `vendor` below) Node.js with npm.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The book's kernels import TensorFlow, which reads these once: no C++ log
# lines, Keras on TensorFlow, the CPU only. The tests and benchmarks set
# the same themselves (tests/conftest.py, benchmarks/common.py), so that
# they run alike without make.
book book-fresh: export TF_CPP_MIN_LOG_LEVEL := 3
book book-fresh: export KERAS_BACKEND := tensorflow
book book-fresh: export CUDA_VISIBLE_DEVICES := -1
VENDOR := _vendor
VENDOR_STAMP := $(VENDOR)/.installed
NPM := vendor/node_modules
HTML_MANAGER := $(NPM)/@jupyter-widgets/html-manager/dist

.PHONY: book book-fresh vendor test bench clean mutation

# The browser tests drive Debian's Chromium (playwright is told where it
# is and never downloads a browser). Installed on first use; as root on CI,
# through sudo elsewhere.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

book: $(VENV)/.book-installed $(VENDOR_STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

# A build that executes every chapter again: the execution cache does not
# notice changes in lstmref, only in the chapters themselves.
book-fresh: $(VENV)/.book-installed $(VENDOR_STAMP)
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going

# The JavaScript the pages load (MathJax, require.js, the ipywidgets
# html-manager), fetched from the npm registry at the versions pinned in
# vendor/package-lock.json and copied into _vendor/, which the book serves
# as _static/ (not book/_static/: Jupyter Book would add every .js found
# there to every page). Runs again only when vendor/package-lock.json or
# vendor/widgets-setup.js changes.
vendor: $(VENDOR_STAMP)

$(VENDOR_STAMP): vendor/package.json vendor/package-lock.json \
		vendor/widgets-setup.js
	cd vendor && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/mathjax/input $(VENDOR)/mathjax/output \
		$(VENDOR)/html-manager
	cp $(NPM)/requirejs/require.js $(VENDOR)/require.js
	cp $(NPM)/mathjax/LICENSE $(NPM)/mathjax/es5/tex-chtml.js \
		$(VENDOR)/mathjax/
	cp -R $(addprefix $(NPM)/mathjax/es5/,a11y adaptors sre ui) \
		$(VENDOR)/mathjax/
	cp -R $(NPM)/mathjax/es5/input/tex $(VENDOR)/mathjax/input/
	cp -R $(NPM)/mathjax/es5/output/chtml $(VENDOR)/mathjax/output/
	cp $(HTML_MANAGER)/embed-amd.js $(HTML_MANAGER)/*.woff2 \
		$(HTML_MANAGER)/*.woff $(HTML_MANAGER)/*.ttf $(HTML_MANAGER)/*.eot \
		$(HTML_MANAGER)/*.svg $(HTML_MANAGER)/embed.js.LICENSE.txt \
		vendor/widgets-setup.js $(VENDOR)/html-manager/
	touch $@

test: $(VENV)/.test-installed $(CHROMIUM)
	$(BIN)/python -m pytest

bench: $(VENV)/.test-installed $(CHROMIUM)
	$(BIN)/python benchmarks/run.py

# Mutation testing, not part of `make test`: mutmut 3 (requirements-
# mutation.txt) mutates lstmref/ in a copy under mutants/, as pyproject's
# [tool.mutmut] says, runs the fast tests that cover each mutant and
# lists the survivors. Two workers, one thread each: the machine is
# shared. Results are kept in mutants/ (delete it to start afresh); one
# module: `.venv/bin/mutmut run "lstmref.cell.*"`.
mutation: $(VENV)/.test-installed
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
		TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
		$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-installed: requirements.txt binder/requirements.txt constraints.txt \
		pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.book-installed
	$(BIN)/python -m pip install -r requirements-test.txt
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y \
		--no-install-recommends chromium

clean:
	rm -rf _build $(VENDOR)
