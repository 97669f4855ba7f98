"""Writing the user's files safely: a whole new file or the old one, never half of one.

``AtomicFile(path)`` writes into a fresh temporary file in the target's own folder (created
with O_EXCL | O_NOFOLLOW, so a symlink planted at the temporary name is never followed),
then fsyncs it and renames it over the target. A symlink planted at the target name is
replaced by the new file, never written through. Until ``commit()`` the target is exactly
as it was; ``discard()`` (or an exception inside ``with``) leaves it so.

Streams are the exception: a character device or a FIFO at the target (``/dev/null``, a
named pipe), or a system stream name under ``/dev`` (``/dev/stdout``), is written to
directly, since there is no file to replace.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = ["AtomicFile", "is_inside", "same_file", "silence_stdout", "write_text"]

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_CREATE |= getattr(os, "O_CLOEXEC", 0)


def _is_stream(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _random_tag() -> str:
    # os.urandom, not secrets: the same randomness without secrets' imports (hmac, base64).
    return os.urandom(6).hex()


class AtomicFile:
    """A text file that replaces ``path`` only when committed (see the module's doc)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        encoding: str = "utf-8",
        errors: str = "strict",
        newline: str | None = "\n",
        durable: bool = True,
    ) -> None:
        self.path = Path(path)
        self.durable = durable
        self.tmp: Path | None = None
        self._closed = False
        self._done = False
        try:
            st: os.stat_result | None = os.lstat(self.path)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode) and _system_name(self.path):
            try:  # /dev/stdout and its kind: follow, it is the system's own link
                st = os.stat(self.path)
            except OSError:
                st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(self.path))
        if st is not None and _is_stream(st.st_mode):
            fd = os.open(self.path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        else:
            fd = self._create_temp(st)
        self.stream: IO[str] = io.open(  # noqa: UP020 - a file descriptor, not a name
            fd, "w", encoding=encoding, errors=errors, newline=newline
        )

    def _create_temp(self, old: os.stat_result | None) -> int:
        folder = self.path.parent
        for _ in range(100):
            tmp = folder / f".{self.path.name}.{_random_tag()}.tmp"
            try:
                fd = os.open(tmp, _CREATE, 0o666)  # the umask applies, as for a plain open
            except FileExistsError:
                continue  # someone's file (or link) has that name: take another
            self.tmp = tmp
            if old is not None and stat.S_ISREG(old.st_mode):
                try:  # the new file keeps the old one's permissions
                    os.fchmod(fd, stat.S_IMODE(old.st_mode))
                except OSError:
                    pass
            return fd
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))

    @property
    def is_stream(self) -> bool:
        """True when writing straight to a device or pipe (nothing to commit or discard)."""
        return self.tmp is None

    def _close(self) -> None:
        if self._closed:
            return
        self.stream.flush()
        if self.durable and self.tmp is not None:
            os.fsync(self.stream.fileno())
        self.stream.close()
        self._closed = True

    def commit(self) -> None:
        """Put the new file in place of ``path`` (OSError: the target is as it was)."""
        if self._done:
            return
        try:
            self._close()
            if self.tmp is not None:
                os.replace(self.tmp, self.path)
                self.tmp = None
                if self.durable:
                    _fsync_folder(self.path.parent)
        except BaseException:
            self.discard()
            raise
        self._done = True

    def commit_new(self, path: str | os.PathLike[str]) -> bool:
        """Put the new file at ``path`` only if nothing is there yet (no overwrite).

        False when ``path`` was taken: the temporary file is then kept (named by
        ``self.tmp``) for another try or a ``discard()``. Streams have nothing to move: True.
        """
        if self._done or self.tmp is None:
            self._done = True
            return True
        try:
            self._close()
        except BaseException:
            self.discard()
            raise
        try:
            os.link(self.tmp, path)  # fails if path exists; a link at path is not followed
        except FileExistsError:
            return False
        except OSError:  # no hard links here (e.g. FAT): a no-clobber check, then a rename
            if os.path.lexists(path):
                return False
            os.replace(self.tmp, path)
            self.tmp = None
            self._done = True
            return True
        os.unlink(self.tmp)
        self.tmp = None
        self._done = True
        if self.durable:
            _fsync_folder(Path(path).parent)
        return True

    def discard(self) -> None:
        """Drop what was written; ``path`` stays as it was."""
        self._done = True
        try:
            self.stream.close()
        except OSError:
            pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except FileNotFoundError:
                pass
            self.tmp = None

    def __enter__(self) -> IO[str]:
        return self.stream

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_text(path: str | os.PathLike[str], text: str, *, durable: bool = True) -> None:
    """Write ``text`` to ``path`` as a whole: the old file or the new one, never half."""
    with AtomicFile(path, durable=durable) as stream:
        stream.write(text)


def _system_name(path: Path) -> bool:
    # Only root can plant a link under /dev or /proc: following one is safe.
    return str(path.absolute()).startswith(("/dev/", "/proc/"))


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself is done
    finally:
        os.close(fd)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when both names reach the same file (links followed, hard links too)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True when ``path`` is ``folder`` or lies somewhere under it (links followed)."""
    target, root = Path(path).resolve(), Path(folder).resolve()
    return target == root or root in target.parents


def silence_stdout() -> None:
    """Point stdout at /dev/null once writing to it failed (a full disk, a closed pipe):
    what is still buffered would fail again, with a second error, when Python flushes it at
    exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass
