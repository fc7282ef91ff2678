"""Exceptions that become one-line messages and exit codes (documented in README.md).

0 ok, 1 bad input, 2 usage (argparse), 3 output cannot be written or would overwrite, 4 network, 70 internal error.
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_OUTPUT = 3
EXIT_NETWORK = 4
EXIT_INTERNAL = 70


class UserError(Exception):
    """The user's input is wrong; the message says what to do about it."""

    exit_code = EXIT_BAD_INPUT


class OutputError(UserError):
    """The output cannot be written: not writable, disk full, or it exists and --force was not given."""

    exit_code = EXIT_OUTPUT


class NetworkError(UserError):
    """A download the user asked for failed (offline, HTTP error, not a PDF)."""

    exit_code = EXIT_NETWORK
