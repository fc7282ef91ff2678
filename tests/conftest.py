"""Shared test fixtures: the scripts folder, the sample paper, the real corpus in ../shared (skipped if absent)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
SAMPLE_PDF = ROOT / "assets" / "sample-paper.pdf"
SHARED = Path(os.environ.get("AIPR_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
CORPUS_PDFS = CORPUS / "pdfs"
CORPUS_GT = CORPUS / "annotations"

sys.path.insert(0, str(SCRIPTS))


def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS_PDFS.glob("*.pdf")) if CORPUS_PDFS.is_dir() else []


@pytest.fixture
def corpus() -> Path:
    """The real-paper corpus folder; the test is skipped with the reason where ../shared is absent."""
    if not CORPUS_PDFS.is_dir():
        pytest.skip(f"real-paper corpus not found at {CORPUS_PDFS} (it lives in ../shared beside the repo)")
    return CORPUS


@pytest.fixture
def sample_pdf() -> Path:
    assert SAMPLE_PDF.is_file(), "assets/sample-paper.pdf is missing: run python tests/make_sample_paper.py"
    return SAMPLE_PDF


def run_script(name: str, *args: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 300,
               input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """Runs python scripts/NAME.py ARGS as a user would, capturing stdout and stderr as text."""
    cmd = [sys.executable, str(SCRIPTS / f"{name}.py"), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout, input=input_text,
                          check=False)


@pytest.fixture
def script():
    return run_script


@pytest.fixture(scope="session")
def prepared_sample(tmp_path_factory) -> Path:
    """The sample paper prepared once by prepare_paper.py, as a user runs it; read it, or copy it to change it."""
    root = tmp_path_factory.mktemp("prepared-sample")
    r = run_script("prepare_paper", SAMPLE_PDF, "--quiet", cwd=root)
    assert r.returncode == 0, r.stderr
    return root / "paper-notes" / "gaterec"
