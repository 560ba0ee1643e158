"""The SQLite writers' queue (duban.lib.writers): a thread lock plus a flock that other
processes wait on, and nothing on PostgreSQL or an in-memory database."""

import fcntl
import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from duban.lib import writers

TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("held")
else:
    print("free")
"""


def fake_connection(vendor, name):
    return SimpleNamespace(vendor=vendor, settings_dict={"NAME": name})


def other_process_sees(path) -> str:
    out = subprocess.run([sys.executable, "-c", TRY_LOCK, path], capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.parametrize("name", ["", ":memory:", "file:memorydb_default?mode=memory&cache=shared"])
def test_an_in_memory_database_has_no_lock_file(name):
    assert writers.lock_path(name) is None


def test_the_lock_file_sits_beside_the_database():
    assert writers.lock_path("/srv/duban/var/duban.sqlite3") == "/srv/duban/var/duban.sqlite3.writers"


def test_another_process_waits_while_a_writer_is_in_line(tmp_path):
    database = str(tmp_path / "duban.sqlite3")
    with writers.sqlite_writer(fake_connection("sqlite", database)):
        assert other_process_sees(database + ".writers") == "held"
    assert other_process_sees(database + ".writers") == "free"


def test_the_lock_is_released_when_the_transaction_fails(tmp_path):
    database = str(tmp_path / "duban.sqlite3")
    with pytest.raises(RuntimeError), writers.sqlite_writer(fake_connection("sqlite", database)):
        raise RuntimeError("回滚")
    assert other_process_sees(database + ".writers") == "free"


def test_threads_of_one_process_take_turns(tmp_path):
    database = fake_connection("sqlite", str(tmp_path / "duban.sqlite3"))
    inside, most = [0], [0]

    def write():
        with writers.sqlite_writer(database):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.005)
            inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_a_forked_child_opens_its_own_lock_file(tmp_path):
    """A flock belongs to the open file: a child that kept its parent's descriptor would share
    the parent's lock instead of waiting for it."""
    database = fake_connection("sqlite", str(tmp_path / "duban.sqlite3"))
    path = database.settings_dict["NAME"] + ".writers"
    read, write = os.pipe()
    with writers.sqlite_writer(database):
        pid = os.fork()
        if pid == 0:  # the child tries the lock the parent holds, without waiting
            os.close(read)
            try:
                fcntl.flock(writers._descriptor(path), fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.write(write, b"free")
            except BlockingIOError:
                os.write(write, b"held")
            os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
    assert os.read(read, 10) == b"held"


def test_postgresql_does_not_queue(tmp_path):
    with writers.sqlite_writer(fake_connection("postgresql", str(tmp_path / "x"))):
        assert not (tmp_path / "x.writers").exists()
