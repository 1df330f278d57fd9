from __future__ import annotations

import os
import socket
import subprocess
import sys

from apicore_callbacks._holders import holder_gone, holder_name, proc_start_time

HOST = socket.gethostname()


def test_this_process_is_a_living_holder() -> None:
    name = holder_name("abc")
    host, pid, start, serial = name.rsplit(":", 3)
    assert (host, int(pid), serial) == (HOST, os.getpid(), "abc")
    assert start == proc_start_time(os.getpid())
    assert not holder_gone(name, host=HOST)


def test_a_dead_process_is_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    name = f"{HOST}:{child.pid}:{proc_start_time(child.pid) or '?'}:1"
    child.wait(timeout=30)
    assert holder_gone(name, host=HOST)


def test_a_reused_pid_is_gone() -> None:
    # the pid is alive, but it belongs to a process started at another time
    times = {os.getpid(): "1"}
    name = f"{HOST}:{os.getpid()}:2:1"
    assert holder_gone(name, host=HOST, start_time=times.get)
    assert not holder_gone(f"{HOST}:{os.getpid()}:1:1", host=HOST, start_time=times.get)


def test_unknown_start_times_and_foreign_names_are_never_gone() -> None:
    alive = {1234: "?"}
    assert not holder_gone(f"{HOST}:1234:99:x", host=HOST, start_time=alive.get)
    assert not holder_gone(f"{HOST}:1234:?:x", host=HOST, start_time={1234: "5"}.get)
    assert not holder_gone("other-host:1:2:3", host=HOST, start_time=lambda pid: None)
    assert not holder_gone(f"{HOST}:1234:x", host=HOST, start_time=lambda pid: None)
    assert not holder_gone(f"{HOST}:abc:1:x", host=HOST, start_time=lambda pid: None)
