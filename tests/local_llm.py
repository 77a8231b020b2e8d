"""`hotline llm serve` started as a user starts it, for the tests marked `llm`.

Any test of the LLM seat against the real local model can use `local_llm_server()`; it skips
(with the command that fixes it) where llama-cpp-python or the model's parts are not installed,
which `make test-llm` installs.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.cli.llm_local import MODELS, locate_parts
from server.telephony.simulate import free_port, stop_server, wait_until_serving
from voice.model_assets import ModelAssetError

REPO = Path(__file__).resolve().parents[1]
# The first start joins and hashes the GGUF (about 2 s a 100 MB) before loading it.
START_TIMEOUT_S = 300


@dataclass(frozen=True)
class LocalLlm:
    base_url: str  # http://127.0.0.1:PORT/v1, what an OpenAI client takes
    model: str  # the model id the server answers to
    log: Path  # the server's stderr


def skip_unless_local_llm(model_key: str = "0.5b") -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (`make test-llm` builds and installs it)")
    try:
        locate_parts(MODELS[model_key])
    except ModelAssetError as exc:
        pytest.skip(f"the {model_key} model's parts are not installed: {exc}")


@contextmanager
def local_llm_server(log_dir: Path, model_key: str = "0.5b", threads: int | None = None) -> Iterator[LocalLlm]:
    """`hotline llm serve --model KEY` on a free loopback port, until the block ends."""
    skip_unless_local_llm(model_key)
    port = free_port()
    log = log_dir / f"llm-serve-{port}.log"
    command = [sys.executable, "-m", "server.cli", "llm", "serve", "--model", model_key, "--port", str(port)]
    if threads:
        command += ["--threads", str(threads)]
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(process, port, log)
        yield LocalLlm(f"http://127.0.0.1:{port}/v1", MODELS[model_key].name, log)
    finally:
        stop_server(process, timeout_s=30)


def _wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    wait_until_serving(f"http://127.0.0.1:{port}/v1/models", process, log, START_TIMEOUT_S)
