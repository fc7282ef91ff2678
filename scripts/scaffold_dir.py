#!/usr/bin/env python3
"""Create a paper's note folder: <root>/<short>/ with paper.pdf, README.md from the template, and images/."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.note.scaffold import LANGS, MODES

PROG = "scaffold_dir.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Create ROOT/SHORT/ for a paper: paper.pdf (a copy), README.md from templates/MODE.LANG.md with the title, "
        "authors, venue, year and arXiv id read off the PDF filled in, and images/. SHORT is the title's short "
        "lowercase-hyphenated form ('attention-is-all-you-need', 'bert'), or --name. Re-running is harmless: an "
        "existing README.md or paper.pdf is kept (and reported) unless --force. Prints the folder's path.",
        [
            "python3 scripts/scaffold_dir.py ~/Downloads/1706.03762v7.pdf",
            "python3 scripts/scaffold_dir.py paper.pdf --name bert --lang zh --mode focus --json",
            "python3 scripts/scaffold_dir.py paper.pdf --root notes --force",
        ],
    )
    p.add_argument("pdf", help="the paper's PDF file")
    p.add_argument("--root", default="paper-notes", help="the folder that holds all notes")
    p.add_argument("--name", help="the note folder's short name (made lowercase-hyphenated); default from the title")
    p.add_argument("--lang", default="en", choices=LANGS, help="language of the note template")
    p.add_argument("--mode", default="full", choices=[m for m in MODES if m != "compare"],
                   help="note template: full reading note or focus on one aspect (a comparison of two papers is "
                        "made by prepare_paper.py A B --mode compare, which prepares both)")
    p.add_argument("--force", action="store_true", help="replace an existing README.md and paper.pdf")
    p.add_argument("--templates", metavar="DIR", help="folder of note templates MODE.LANG.md (default: the skill's "
                   "templates/)")
    p.add_argument("--password", help="password of an encrypted PDF")
    cli.add_json_flag(p)
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    result = jobs.scaffold(Path(a.pdf), Path(a.root), name=a.name, force=a.force, lang=a.lang, mode=a.mode,
                           password=a.password, templates_dir=Path(a.templates) if a.templates else None)
    if result.get("repaired"):
        cli.progress(cli.repaired_warning(PROG, a.pdf, "check the paper reads right"))
    for path in result["kept"]:
        cli.progress(f"{PROG}: kept the existing {path} (pass --force to replace it)")
    if not result["title"]:
        cli.progress(f"{PROG}: note: no title could be read off the PDF (scanned?); the folder is named after "
                     "the file; fill the title in README.md")
    cli.emit(result, a.json, result["folder"])
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
