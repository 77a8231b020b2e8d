"""The vendored front-end libraries (server/web/static/vendor/) are the npm packages' own files:
each file matches the sha256 vendor.json records, beside its package's licence, and the pages
load only what is vendored (no address off this server)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "server" / "web"
VENDOR = WEB / "static" / "vendor"


def test_each_vendored_file_is_what_vendor_json_records_with_its_licence() -> None:
    manifest = json.loads((VENDOR / "vendor.json").read_text(encoding="utf-8"))
    assert {entry["package"] for entry in manifest} == {"htmx.org", "echarts"}
    for entry in manifest:
        data = (VENDOR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"]) and entry["license"]
        assert (VENDOR / entry["license_file"]).stat().st_size > 0
    listed = {entry["file"] for entry in manifest} | {entry["license_file"] for entry in manifest} | {"vendor.json"}
    assert {path.name for path in VENDOR.iterdir()} == listed  # nothing vendored unrecorded


def test_pages_load_nothing_from_elsewhere() -> None:
    for page in [*(WEB / "templates").glob("*.html"), *(WEB / "static").rglob("*.js")]:
        if page.parent == VENDOR:
            continue
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), page.name
        assert not re.search(r"""import[^;]*["']https?://""", text), page.name
