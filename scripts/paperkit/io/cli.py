"""The command-line frame every script shares: parser with examples, --json output, errors as one line."""
from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OUTPUT, OutputError, UserError


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Shows the defaults that say something (not None or False) and keeps the epilog's examples as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "%(default)" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return text + " (default: %(default)s)"


def make_parser(prog: str, description: str, examples: Sequence[str]) -> argparse.ArgumentParser:
    epilog = "examples:\n" + "\n".join(f"  {e}" for e in examples)
    epilog += "\n\nexit codes: 0 ok, 1 bad input, 2 usage, 3 output not writable or exists (see --force), 4 network"
    return argparse.ArgumentParser(prog=prog, description=description, epilog=epilog, formatter_class=_Formatter)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout (for agents)")


def add_pdf_flags(parser: argparse.ArgumentParser, *, quiet: bool = True) -> None:
    """The flags every script that reads a PDF takes: --password, --quiet (when it talks on stderr), --json."""
    parser.add_argument("--password", help="password of an encrypted PDF")
    if quiet:
        parser.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    add_json_flag(parser)


DPI_RANGE = (72, 600)


def check_dpi(parser: argparse.ArgumentParser, dpi: int) -> None:
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        parser.error(f"--dpi must be between {DPI_RANGE[0]} and {DPI_RANGE[1]}")


def speaker(quiet: bool) -> Callable[[str], None]:
    """progress, or nothing with --quiet."""
    return (lambda _m: None) if quiet else progress


def repaired_warning(prog: str, pdf: object, check: str) -> str:
    """The one line every script prints when MuPDF had to repair the file it opened."""
    return f"{prog}: warning: {pdf} was damaged; MuPDF repaired it, {check}"


def emit(data: Any, as_json: bool, human: str) -> None:
    """Data goes to stdout: JSON for agents, text for people."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    elif human:
        sys.stdout.write(human.rstrip("\n") + "\n")
    sys.stdout.flush()


def progress(message: str) -> None:
    """Progress and warnings go to stderr so stdout stays machine-readable."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def run(prog: str, main: Callable[[list[str]], int], argv: Sequence[str] | None = None) -> int:
    """Runs main(argv) and turns every failure into one line on stderr and an exit code; never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return int(main(args) or 0)
    except SystemExit as exc:  # argparse's usage errors and --help
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except UserError as exc:
        sys.stderr.write(f"{prog}: error: {_one_line(str(exc))}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    except MemoryError:
        sys.stderr.write(f"{prog}: error: out of memory; try a smaller input or fewer pages\n")
        return EXIT_INTERNAL
    except OSError as exc:
        err = OutputError(describe_os_error(exc))
        sys.stderr.write(f"{prog}: error: {_one_line(str(err))}\n")
        return EXIT_OUTPUT
    except Exception as exc:  # noqa: BLE001 -- the last guard: a bug must still read as one line, never a traceback
        if is_damaged_input(exc):
            sys.stderr.write(f"{prog}: error: {_one_line(damaged_input_message(exc))}\n")
            return EXIT_BAD_INPUT
        where = ""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where = f" at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
        sys.stderr.write(
            f"{prog}: internal error: {type(exc).__name__}: {_one_line(str(exc))[:300]}{where} (please report it)\n"
        )
        return EXIT_INTERNAL


# MuPDF's errors that mean "this part of the file is broken", not "the program called me wrongly" (FzErrorArgument)
_MUPDF_INPUT_ERRORS = {"FzErrorFormat", "FzErrorSyntax", "FzErrorUnsupported", "FzErrorLimit", "FzErrorRepaired",
                       "FileDataError"}


def is_damaged_input(exc: BaseException) -> bool:
    """Whether exc is MuPDF saying the PDF's content is broken (a stream, an object, a colour space), which is bad
    input however deep in a page it is found, and not a bug in the script. Told by name: cli imports no PyMuPDF."""
    kind = type(exc)
    return kind.__module__.split(".")[0] in ("pymupdf", "mupdf", "fitz") and kind.__name__ in _MUPDF_INPUT_ERRORS


def damaged_input_message(exc: BaseException) -> str:
    detail = re.sub(r"^code=\d+:\s*", "", _one_line(str(exc)))[:200] or type(exc).__name__
    if type(exc).__name__ == "FzErrorLimit":  # a 20000 x 20000 image, a stream past MuPDF's bounds
        return (f"the PDF holds something larger than MuPDF will read ({detail}); if the paper has a normal size, "
                "get the file again")
    return (f"the PDF is damaged: MuPDF cannot read part of it ({detail}); get the file again, or open it in a PDF "
            "viewer and save a copy, and run this on the copy")


def describe_os_error(exc: OSError, path: str | os.PathLike[str] | None = None) -> str:
    """A sentence a user can act on for the file-system errors that reach the top.

    path names what was being written when the error itself names no file (a full disk fails a write(), not an
    open(), so its error carries no file name); a name the error carries wins.
    """
    name = str(exc.filename or path or "")
    where = name or "the output"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full (or over quota) while writing {where}; free some space and run again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {where}: permission denied or read-only; choose another output folder"
    if exc.errno == errno.ENAMETOOLONG:
        return f"a file or folder name is too long: {where}; choose a shorter output path or --name"
    if exc.errno == errno.ENOTDIR:
        return f"cannot write {where}: a part of that path is a file, not a folder; choose another output folder"
    if exc.errno == errno.EISDIR:
        return f"cannot write {where}: it is a folder; move it away or choose another output path"
    if exc.errno == errno.ENOENT:
        return f"no such file or folder: {where}"
    return f"{exc.strerror or exc}: {name}".strip(": ")
