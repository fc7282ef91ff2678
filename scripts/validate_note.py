#!/usr/bin/env python3
"""Check a written note against the skill's rules; one line per problem, exit 1 while errors remain."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import cli
from paperkit.notecheck import check_note
from paperkit.scaffold import LANGS, MODES

PROG = "validate_note.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Check a note (README.md in a note folder) against templates/ and references/: header block complete and "
        "agreeing with paper.yaml; the mode's sections present, in order, with the template's headings; TL;DR "
        "within its limit; the Q&A shown directly, each question a heading; images from images/, named by rule, "
        "with alt text, mentioned near where they are shown; formulas and code fences closed, fences tagged with "
        "a language; no placeholder, stock phrase, emoji, first person or bold paragraph; numbers with a source. "
        "Prints one line per problem, FILE:LINE: what is wrong: how to fix it (warnings say 'warning:'). "
        "Exit 0 when there are no errors (warnings alone pass), 1 otherwise.",
        [
            "python scripts/validate_note.py paper-notes/attention-is-all-you-need",
            "python scripts/validate_note.py paper-notes/bert/README.md --mode focus --lang zh",
            "python scripts/validate_note.py examples/gaterec --json",
        ],
    )
    p.add_argument("note", help="the note folder (holding README.md) or the note file")
    p.add_argument("--mode", default="auto", choices=("auto", *MODES),
                   help="which template the note follows; auto picks the one whose headings it matches best")
    p.add_argument("--lang", default="auto", choices=("auto", *LANGS),
                   help="the note's language; auto reads it from the headings and the text")
    cli.add_json_flag(p)
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    note = Path(a.note)
    readme = note / "README.md" if note.is_dir() else note
    result = check_note(note, a.mode, a.lang, display=str(readme))
    findings = result.pop("_objects")
    cli.emit(result["findings"], a.json, "\n".join(f.text() for f in findings))
    if result["errors"] or result["warnings"]:
        cli.progress(f"{PROG}: {result['errors']} error(s), {result['warnings']} warning(s) "
                     f"({result['mode']} note, {result['lang']})")
    else:
        cli.progress(f"{PROG}: {readme} passes ({result['mode']} note, {result['lang']})")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
