"""What an entry named in the notes is, in words, when it is not a file Palace can read: for the
notes files (`load.py`) and the pictures (`pictures.py`) alike."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def not_there(path: Path, error: OSError) -> str:
    """Why `path` cannot be looked at, in words."""
    if error.errno == errno.ELOOP:
        return "a symbolic link loop"
    if error.errno == errno.ENOENT and path.is_symlink():
        return "a symbolic link to nothing"
    if error.errno == errno.ENOENT:
        return "no such file or folder"
    if error.errno == errno.ENAMETOOLONG:
        return "the name is too long for the file system"
    return error.strerror or str(error)


def kind(mode: int) -> str:
    """What an entry that is not a regular file is, by its mode, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"


def what_is(path: Path) -> str:
    """What `path`, there but not a regular file, is: `kind`, or why it cannot be looked at."""
    try:
        return kind(os.stat(path).st_mode)
    except OSError as error:
        return not_there(path, error)
