"""Files appear whole or not at all, and nothing the user made is overwritten without --force."""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .cli import describe_os_error
from .errors import OutputError, UserError


def ensure_dir(path: Path) -> Path:
    """Creates a folder (and parents), turning permission and space problems into OutputError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{path} exists and is not a folder") from None
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path)) from None
    if not path.is_dir():
        raise OutputError(f"{path} exists and is not a folder")
    return path


def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Writes data to a temporary name in the same folder, then renames it into place."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputError(f"{path} already exists; pass --force to overwrite it")
    ensure_dir(path.parent)
    fd, tmp = -1, ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = ""
    except OSError as exc:
        raise OutputError(describe_os_error(_without_names(exc), path)) from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path


def atomic_write_text(path: Path, text: str, *, overwrite: bool = False) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def atomic_copy(src: Path, dst: Path, *, overwrite: bool = False) -> Path:
    """Copies a file through a temporary name, so a failed copy leaves nothing behind."""
    dst = Path(dst)
    if dst.exists() and not overwrite:
        raise OutputError(f"{dst} already exists; pass --force to overwrite it")
    ensure_dir(dst.parent)
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
        os.close(fd)
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)
        tmp = ""
    except OSError as exc:
        if exc.filename is not None and str(exc.filename) == str(src) and exc.errno != errno.ENOSPC:
            raise UserError(f"cannot read {src} ({exc.strerror})") from None
        # otherwise the error is about the temporary file: the user needs to hear about dst
        raise OutputError(describe_os_error(_without_names(exc), dst)) from None
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return dst


@contextlib.contextmanager
def staging_dir(final_dir: Path) -> Iterator[Path]:
    """A hidden scratch folder next to final_dir: write a whole batch there, then publish() it.

    On any failure the scratch folder (which this run created) is removed, so nothing half-written is left.
    """
    parent = ensure_dir(Path(final_dir).parent)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{Path(final_dir).name}.staging-", dir=parent))
    except OSError as exc:
        raise OutputError(describe_os_error(_without_names(exc), final_dir)) from None
    try:
        yield stage
    except OSError as exc:  # a write into the staging folder failed (a full disk): name the folder the user gave
        if exc.filename and not str(exc.filename).startswith(str(stage)):
            raise
        raise OutputError(describe_os_error(_without_names(exc), final_dir)) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, final_dir: Path, names: list[str], *, overwrite: set[str] | None = None) -> list[Path]:
    """Moves the named files from the staging folder into final_dir, refusing to replace files not in overwrite.

    Every clash is checked before the first move, so a refused run changes nothing.
    """
    final_dir = ensure_dir(Path(final_dir))
    allowed = overwrite or set()
    clashes = [n for n in names if (final_dir / n).exists() and n not in allowed]
    if clashes:
        more = f" and {len(clashes) - 1} more" if len(clashes) > 1 else ""
        raise OutputError(
            f"{final_dir / clashes[0]}{more} already exist(s) and were not written by this tool; "
            "pass --force to overwrite"
        )
    out = []
    try:
        for n in names:
            os.replace(stage / n, final_dir / n)
            out.append(final_dir / n)
    except OSError as exc:
        raise OutputError(describe_os_error(_without_names(exc), final_dir / n)) from None
    return out


def _without_names(exc: OSError) -> OSError:
    """The same error without the file names it carries (a temporary or staging name means nothing to a user)."""
    return OSError(exc.errno, exc.strerror)

