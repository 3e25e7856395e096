"""Running a function in a forked process while this one goes on.

A single template checked by tapcheck's rules and by cfn-lint would leave a core idle:
tapcheck's rules run in a fork of the process that parsed the template (nothing to
re-parse, nothing to send back but the findings) while cfn-lint runs here.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable


def in_background(function: Callable, *args, fork: bool) -> Later:
    """`function(*args)` started in a child process when `fork` is asked and safe; computed
    when its result is asked for otherwise."""
    return Forked(function, *args) if fork and can_fork() else Later(function, *args)


def can_fork() -> bool:
    """A fork of a process with other threads may copy a lock one of them holds, and
    hang on it; tapcheck runs single-threaded, a host application may not."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Later:
    """`function(*args)`, computed by `result()`."""

    def __init__(self, function: Callable, *args):
        self.function, self.args = function, args

    def result(self):
        return self.function(*self.args)


class Forked(Later):
    """`function(*args)` running in a child process; `result()` waits for its value.

    When the child cannot deliver it (it crashed or was killed, or the value does not
    pickle), `result()` computes it here: a result is never missing.
    """

    def __init__(self, function: Callable, *args):
        super().__init__(function, *args)
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(read_end)
            status = 1
            try:
                data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)  # no atexit handlers, no flushing of the parent's buffers
        os.close(write_end)
        self.read_end = read_end

    def result(self):
        with os.fdopen(self.read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            try:
                return pickle.loads(data)
            except Exception:  # noqa: S110 - unreadable: computed again below
                pass
        return super().result()
