#!/usr/bin/env python3
"""One command from a paper to a note folder ready for writing: scaffold, figures, facts."""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from paperkit.io import cli  # noqa: E402
from paperkit.io.errors import UserError  # noqa: E402

PROG = "prepare_paper.py"
REMOTE_RE = re.compile(r"^(https?://|arxiv:|\d{4}\.\d{4,5}(v\d+)?$|[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$)", re.I)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Prepare a note folder from a paper: paper-notes/<short>/ with paper.pdf and README.md from the template "
        "(scaffold_dir.py), the figures and tables cut out into images/ with images/figures.yaml "
        "(smart_extract.py), and the paper's facts in paper.yaml, its text in paper.md and its tables in "
        "tables/ (paper_info.py). SOURCE is a PDF file, or an arXiv id or a paper URL, which is downloaded "
        "(fetch_paper.py) -- the only case that uses the network.",
        [
            "python scripts/prepare_paper.py assets/sample-paper.pdf",
            "python scripts/prepare_paper.py ~/Downloads/1706.03762v7.pdf --lang zh --json",
            "python scripts/prepare_paper.py https://arxiv.org/abs/1706.03762 --root notes",
        ],
    )
    p.add_argument("source", help="a PDF file, an arXiv id (1706.03762) or a paper URL (arXiv, OpenReview, PDF)")
    p.add_argument("--root", default="paper-notes", help="folder that holds the note folders")
    p.add_argument("--name", help="short name of the note folder (default: from the title)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the note template")
    p.add_argument("--mode", choices=("full", "focus", "compare"), default="full", help="note template")
    p.add_argument("--dpi", type=int, default=200, help="resolution of the figure images")
    p.add_argument("--force", action="store_true", help="replace files that exist and were not written by these tools")
    p.add_argument("--password", help="password of an encrypted PDF")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    cli.add_json_flag(p)
    return p.parse_args(argv)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"aipr_{name}", HERE / f"{name}.py")
    if spec is None or spec.loader is None:  # pragma: no cover - the skill folder is incomplete
        raise UserError(f"scripts/{name}.py is missing from the skill folder; reinstall the skill")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _step(name: str, argv: list[str]) -> dict[str, Any]:
    """Runs scripts/NAME.py's main in this process with --json and returns what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = _load(name).main([*argv, "--json"])
    if code:
        raise UserError(f"{name}.py stopped with exit code {code}")
    text = out.getvalue().strip()
    return json.loads(text) if text else {}


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    say = cli.speaker(a.quiet)
    common = [*(["--force"] if a.force else []), *(["--password", a.password] if a.password else [])]
    src = Path(a.source).expanduser()
    if src.exists() or not REMOTE_RE.match(a.source):
        scaffold = _step("scaffold_dir", [str(src), "--root", a.root, "--lang", a.lang, "--mode", a.mode,
                                          *(["--name", a.name] if a.name else []), *common])
    else:
        say(f"{PROG}: downloading {a.source}")
        scaffold = _step("fetch_paper", [a.source, "--root", a.root, "--lang", a.lang, "--mode", a.mode,
                                         *(["--name", a.name] if a.name else []),
                                         *common])
    folder = Path(scaffold["folder"])
    pdf = folder / "paper.pdf"
    say(f"{PROG}: finding figures and tables in {pdf}")
    figures = _step("smart_extract", [str(pdf), str(folder), "--dpi", str(a.dpi), "--quiet", *common])
    say(f"{PROG}: reading the paper's facts and text")
    info = _step("paper_info", [str(pdf), "--out", str(folder), "--quiet", *common])

    result = {
        "folder": str(folder),
        "readme": str(folder / "README.md"),
        "paper_yaml": str(folder / "paper.yaml"),
        "paper_md": str(folder / "paper.md"),
        "manifest": str(folder / "images" / "figures.yaml"),
        "title": scaffold.get("title") or info.get("title"),
        "authors": scaffold.get("authors") or info.get("authors"),
        "figures": len(figures.get("figures", [])),
        "tables": len(figures.get("tables", [])),
    }
    human = "\n".join([
        f"note folder: {folder}",
        f"  title:    {result['title'] or '(not found)'}",
        f"  authors:  {', '.join(result['authors'] or []) or '(not found)'}",
        f"  figures:  {result['figures']} figure(s), {result['tables']} table(s) in {result['manifest']}",
        f"  facts:    {result['paper_yaml']}",
        f"  text:     {result['paper_md']}",
        f"  write:    {result['readme']}",
    ])
    cli.emit(result, a.json, human)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
