"""Refresh the front-end libraries the pages load (server/web/static/vendor/), from their npm
packages: `python -m server.web.refresh_vendor` (needs npm and the npm registry). Each file is
taken as the package ships it, with the package's licence beside it, and `vendor.json` records the
version, licence and sha256 of each; tests check the files against it. Change a version here, run
this, and commit what it wrote: nothing is fetched when the server runs."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"

# package, version, the file in the package the pages load
LIBRARIES = [
    ("htmx.org", "2.0.11", "dist/htmx.min.js"),
    ("echarts", "5.6.0", "dist/echarts.min.js"),
]


def fetch(package: str, version: str, work: Path) -> Path:
    """The unpacked npm package (npm pack: the registry's tarball, checked against its integrity)."""
    subprocess.run(["npm", "pack", f"{package}@{version}", "--silent"], cwd=work, check=True, capture_output=True)
    (tarball,) = work.glob(f"{package.replace('.', '*')}-{version}.tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(work / package, filter="data")
    return work / package / "package"


def main() -> int:
    if shutil.which("npm") is None:
        print("error: npm not found; install Node.js and npm to refresh the vendored libraries", file=sys.stderr)
        return 2
    manifest = []
    with tempfile.TemporaryDirectory() as tmp:
        for package, version, shipped in LIBRARIES:
            unpacked = fetch(package, version, Path(tmp))
            meta = json.loads((unpacked / "package.json").read_text(encoding="utf-8"))
            name = Path(shipped).name
            shutil.copyfile(unpacked / shipped, VENDOR / name)
            licence_file = f"LICENSE.{package}"
            shutil.copyfile(unpacked / "LICENSE", VENDOR / licence_file)
            manifest.append({
                "package": package,
                "version": meta["version"],
                "license": meta.get("license", ""),
                "file": name,
                "from": shipped,
                "license_file": licence_file,
                "sha256": hashlib.sha256((VENDOR / name).read_bytes()).hexdigest(),
            })
            print(f"{package}@{meta['version']} ({meta.get('license', '?')}) → static/vendor/{name}")
    (VENDOR / "vendor.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
