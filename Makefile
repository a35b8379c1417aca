# The README's two commands, `make app` and `make test`; each installs what it needs on a fresh machine.
SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8866

.PHONY: app test chromium nginx readme benchmark load-test class-benchmark number-benchmark real-benchmark
# TensorFlow, which the training notebooks import, reports CUDA and oneDNN on every start; on a machine without a
# GPU that is noise. Its C++ log keeps fatal messages only, and the few lines it writes before reading that
# setting are filtered out of the notebook tests' output (real failures still show: they are Python exceptions).
export TF_CPP_MIN_LOG_LEVEL ?= 3
TF_NOISE := 'absl::InitializeLog|cudart_stub\.cc|\] oneDNN custom operations|cpu_feature_guard\.cc|rebuild TensorFlow with the appropriate'

# `.[dev]` is everything: the library, the `train` extra (TensorFlow) and the notebook and test tools.
$(BIN)/.installed: settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

app: $(BIN)/.installed
	@echo "The app will be at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/voila nbs/07_app.ipynb --Voila.ip=$(HOST) --port=$(PORT)

# The browser tests drive Debian's Chromium; install it if it is missing and we may.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# tests/test_proxy.py runs several app servers behind Debian's nginx (deploy/nginx.conf); it lives in /usr/sbin.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq nginx; fi; }

test: $(BIN)/.installed chromium nginx
	set -o pipefail; $(BIN)/nbdev_test 2>&1 | { grep -Ev $(TF_NOISE) || true; }
	$(BIN)/python -m pytest tests

# README.md is generated from nbs/index.ipynb and its outputs, less the `#| hide` cells (the tests);
# tests/test_readme.py checks that it is up to date.
readme: $(BIN)/.installed
	$(BIN)/jupyter nbconvert --log-level=WARN --to markdown nbs/index.ipynb --RegexRemovePreprocessor.patterns='["#\\| hide"]' \
	  --output-dir . --output README

benchmark: $(BIN)/.installed chromium
	$(BIN)/python -m scripts.benchmark

load-test: $(BIN)/.installed chromium
	$(BIN)/python -m scripts.load_test

# Issue 6: an idle server's page, then a class of 30 arriving together (seconds until usable, CPU-s per visitor, pool memory).
class-benchmark: $(BIN)/.installed chromium
	$(BIN)/python -m scripts.load_test --arrivals 30

# Whole numbers: exact-string accuracy on 300 seeded photos of real writers' digits (USPS validation), beside RapidOCR
# (installed here for the comparison only: the library does not need it), dev set, speed, a page of text.
number-benchmark: $(BIN)/.installed
	$(BIN)/python -m pip install -q rapidocr onnxruntime
	$(BIN)/python -m scripts.number_benchmark

# Real handwriting from outside MNIST (issue 16): per-source accuracy and what the app tells a visitor, digits and non-digits.
real-benchmark: $(BIN)/.installed
	$(BIN)/python -m scripts.real_benchmark
