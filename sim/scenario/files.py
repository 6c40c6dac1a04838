"""Reading the files a scenario names: the scenario itself and its ``@file`` references.

Only regular files are read, and never more than a cap: a FIFO, a device (``/dev/zero``),
a directory or a socket is refused after an ``os.stat``, before any open, and the open
itself is non-blocking, so a path swapped for a FIFO in between cannot hang the run.
``@file`` references stay inside the scenario's folder (symlinks resolved, no ``..``
escapes, no absolute paths) unless ``kmsim run --allow-outside-files`` allows them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: The most bytes an ``@file`` reference may hold (a key policy is at most 32 KiB).
MAX_REF_BYTES = 1 << 20
#: The most bytes a scenario file may hold.
MAX_SCENARIO_BYTES = 16 << 20

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


class RefusedFile(Exception):
    """A file that is not read: the message says why, ``hint`` what to do, ``line`` the
    file's line at fault, when there is one."""

    def __init__(self, message: str, hint: str, line: int | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.line = line


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular(path: Path, cap: int) -> bytes:
    """The bytes of the regular file ``path`` (symlinks followed), at most ``cap`` of them.

    Raises :class:`RefusedFile` for a missing or unreadable file, anything that is not a
    regular file, and a file over the cap.
    """
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise RefusedFile(f"it is {_kind(st.st_mode)}, not a regular file",
                              "name a regular file")
        if st.st_size > cap:
            raise RefusedFile(f"it is larger than {cap} bytes ({st.st_size})",
                              f"files are read whole and may hold at most {cap} bytes")
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # changed since the stat
                raise RefusedFile("it is not a regular file", "name a regular file")
            chunks, total = [], 0
            while total <= cap:
                chunk = os.read(fd, min(1 << 16, cap + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise RefusedFile(exc.strerror or str(exc), "check the path and its permissions"
                          ) from None
    except ValueError:  # a NUL character in the path
        raise RefusedFile("the path holds a NUL character", "check the path") from None
    if total > cap:
        raise RefusedFile(f"it is larger than {cap} bytes (it grew while read)",
                          f"files are read whole and may hold at most {cap} bytes")
    return b"".join(chunks)


def decode_text(data: bytes, binary_ok: bool = True) -> str:
    """UTF-8 text (a leading byte-order mark dropped); :class:`RefusedFile` naming the line
    of the first bad byte when it is not UTF-8, or holds a NUL byte and ``binary_ok`` is
    false."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RefusedFile(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, "
                          f"offset {exc.start}", "save the file as UTF-8 text", line) from None
    if not binary_ok and "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        raise RefusedFile(f"a binary file: a NUL byte at line {line}",
                          "@file references name text files such as JSON", line)
    return text.removeprefix("\ufeff")


def resolve_ref(folder: Path, ref: str, allow_outside: bool = False) -> Path:
    """The path an ``@file`` reference names, relative to the scenario's ``folder``.

    Symlinks and ``..`` are resolved first; unless ``allow_outside``, an absolute path or
    one that ends up outside the folder is a :class:`RefusedFile`.
    """
    outside_hint = ("@file paths are relative to the scenario file and stay in its folder; "
                    "kmsim run --allow-outside-files allows others")
    if not ref:
        raise RefusedFile("an empty @file reference",
                          "write @policies/key.json, or @@ for a literal @")
    named = Path(ref)
    if named.is_absolute() and not allow_outside:
        raise RefusedFile("an absolute @file path", outside_hint)
    try:
        real = (folder / named).resolve()
        root = folder.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before 3.13)
        raise RefusedFile(str(exc), "check the symlinks on the path") from None
    except ValueError:
        raise RefusedFile("the path holds a NUL character", "check the path") from None
    if not allow_outside and not real.is_relative_to(root):
        raise RefusedFile(f"it is outside the scenario's folder ({real})", outside_hint)
    return real
