#!/usr/bin/env python3
"""Export a note folder for publishing: one self-contained HTML file, a zip archive, or a note in an Obsidian vault."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.note.export import FORMATS

DESCRIPTION = """\
Export a note folder (paper-notes/<short>/ with README.md, images/, paper.yaml) so people can read it elsewhere.

  html      ONE file that opens in any browser with no network: images embedded, formulas as MathML, no scripts.
            For web editors (Zhihu, Juejin, WeChat, CSDN): open it in a browser, select all, copy, paste.
            Needs the export extra: pip install ".[export]"
  zip       the note folder as one archive (README.md, images/, paper.yaml; paper.pdf only with --with-pdf).
  obsidian  VAULT_DIR/<short>/<short>.md with YAML front matter from paper.yaml, and the linked images copied
            beside it at the same relative paths (images/...), so the note's own links resolve in Obsidian.

Every local link in the note must resolve first; a broken one stops the export with README.md:LINE.
Nothing is overwritten without --force, and a failed run leaves nothing behind.
Defaults: html and zip go beside the note folder (paper-notes/<short>.html, paper-notes/<short>.zip).
Exit codes: 0 ok (a formula that could not be converted is a warning on stderr, shown as code), 1 bad input
(broken link, missing README.md, export extra not installed), 3 output exists or cannot be written."""


def main(argv: list[str]) -> int:
    parser = cli.make_parser(
        "export_note.py",
        DESCRIPTION,
        examples=[
            "python3 scripts/export_note.py paper-notes/attention --to html",
            "python3 scripts/export_note.py paper-notes/attention --to zip --with-pdf --out ~/Desktop",
            "python3 scripts/export_note.py paper-notes/attention --to obsidian --out ~/Vault/Papers --json",
        ],
    )
    parser.add_argument("note_dir", metavar="NOTE_DIR", type=Path, help="the note folder (holds README.md)")
    parser.add_argument("--to", required=True, choices=FORMATS, default=argparse.SUPPRESS, help="what to make")
    parser.add_argument("--out", type=Path, default=argparse.SUPPRESS,
                        help="html/zip: a file name or a folder (default: beside the note folder); "
                             "obsidian: the vault folder (required)")
    parser.add_argument("--force", action="store_true", help="replace an output that already exists")
    parser.add_argument("--with-pdf", action="store_true",
                        help="zip/obsidian: include paper.pdf (without it, links to paper.pdf point to arXiv)")
    cli.add_json_flag(parser)
    args = parser.parse_args(argv)

    out = getattr(args, "out", None)
    result = jobs.export_note(args.note_dir, args.to, out, force=args.force, with_pdf=args.with_pdf)
    for item in result.formulas_failed:
        cli.progress(f"export_note.py: warning: README.md:{item['line']}: formula not converted to MathML "
                     f"({item['error']}), shown as code: {item['latex'][:120]}")
    for w in result.warnings:
        cli.progress(f"export_note.py: warning: {w}")
    size_kb = result.bytes / 1024
    if result.format == "html":
        ok = result.formulas - len(result.formulas_failed)
        human = (f"{result.out}\n  one file, {size_kb:.0f} KB: {result.images} image(s) embedded, "
                 f"{ok}/{result.formulas} formula(s) as MathML; open it in a browser to check")
    elif result.format == "zip":
        human = f"{result.out}\n  {len(result.files)} file(s), {size_kb:.0f} KB, all links checked"
    else:
        human = f"{result.out}\n  {len(result.files)} file(s) in {result.out.parent}, front matter from paper.yaml"
    cli.emit(result.as_dict(), args.json, human)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run("export_note.py", main))
