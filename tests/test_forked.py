"""Running a function in a forked process: its value comes back, and a failed child never loses it."""

from __future__ import annotations

import os
import signal
import threading

from tapcheck.checker.forked import Forked, Later, in_background


def where_and_what(value):
    return os.getpid(), {"value": value, "items": list(range(100_000))}  # more than a pipe's buffer


def test_the_value_is_computed_in_the_child_and_comes_back():
    pid, value = in_background(where_and_what, 7, fork=True).result()
    assert pid != os.getpid()
    assert value == {"value": 7, "items": list(range(100_000))}


def killed_in_the_child(parent: int):
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "computed in the parent"


def test_a_child_that_dies_or_returns_what_cannot_be_pickled_is_replaced_by_the_parent():
    assert Forked(killed_in_the_child, os.getpid()).result() == "computed in the parent"
    pid, function = Forked(lambda: (os.getpid(), lambda: None)).result()
    assert pid == os.getpid() and callable(function)


def test_no_fork_when_not_asked_or_when_other_threads_run():
    assert type(in_background(where_and_what, 1, fork=False)) is Later
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        later = in_background(where_and_what, 1, fork=True)
        assert type(later) is Later and later.result()[0] == os.getpid()
    finally:
        stop.set()
        thread.join()
