"""Fixtures for the ember.utils.data tests: leak checks for worker processes and shared
memory."""
import gc
import os

import pytest

from ember.utils.data import _worker


def children():
    """Pids of this process's child processes, zombies included (Linux /proc)."""
    me = os.getpid()
    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == me:
            out.add(int(d))
    return out


def segments(pid=None):
    """This process's DataLoader shared-memory files that still have a name."""
    prefix = f"{_worker.SEGMENT_PREFIX}{os.getpid() if pid is None else pid}_"
    return [n for n in os.listdir(_worker.shm_dir()) if n.startswith(prefix)]


@pytest.fixture
def no_leaks():
    """Fail the test if it leaves a child process or a shared-memory file behind."""
    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc to list child processes")
    before = children()
    yield
    if children() - before or segments():
        gc.collect()      # an iterator caught in a reference cycle stops when collected
    left = children() - before
    assert not left, f"child processes left behind: {sorted(left)}"
    assert not segments(), f"shared memory left behind: {segments()}"
