"""Issue 13 point 6: write failures get one Chinese sentence per cause and leave nothing partial.

A full disk is made real: the store lives on a small tmpfs that is then filled (needs root to mount;
skipped elsewhere). The other causes are checked on the sentence chooser with the errors DuckDB raises.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dashboard.cli import main
from dashboard.store import StoreWriteError, close_store, open_store, write_failure

FIXTURE = Path(__file__).parent / "fixtures" / "interchange_small"
DISK_FULL = "磁盘空间不足，未写入任何数据"


@pytest.fixture
def small_disk(tmp_path):
    """A 64 MB tmpfs, unmounted after the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Fill the file system of `folder` to the last byte; returns the filler file."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as fh:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError:
                pass
    return filler


def test_import_on_a_full_disk_says_so_and_writes_nothing(small_disk, capsys):
    db = small_disk / "s.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    store = open_store(db)
    store.rows("CHECKPOINT")
    filler = _fill(small_disk)
    capsys.readouterr()
    code = main(["import", str(FIXTURE), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2
    assert DISK_FULL in err
    assert "TransactionContext" not in err and "Traceback" not in err
    assert "导入完成" not in err
    filler.unlink()
    assert store.scalar("SELECT count(*) FROM units") == 0  # nothing partial
    assert main(["import", str(FIXTURE), "--db", str(db)]) == 0  # the store still works
    assert store.scalar("SELECT count(*) FROM units") == 4
    close_store(db)


def test_draw_on_a_full_disk_prints_one_sentence_without_traceback(small_disk, capsys):
    from test_draw_fixtures import build

    db = small_disk / "d.duckdb"
    store = open_store(db)
    build(store)
    store.rows("CHECKPOINT")
    filler = _fill(small_disk)
    capsys.readouterr()
    code = main(["draw", "T1", "--public-value", "7", "--date", "2026-03-10", "--db", str(db)])
    out = capsys.readouterr()
    assert code == 2
    assert DISK_FULL in out.err
    assert len(out.err.strip().splitlines()) == 1
    assert "Traceback" not in out.err + out.out
    filler.unlink()
    assert store.scalar("SELECT count(*) FROM draws") == 0
    assert store.scalar("SELECT count(*) FROM draw_pool") == 0
    assert store.scalar("SELECT status FROM tasks WHERE task_code = 'T1'") == "planned"
    close_store(db)


def test_entry_and_service_errors_carry_the_sentence(small_disk):
    from test_draw_fixtures import build

    from dashboard.draw import DrawError

    db = small_disk / "e.duckdb"
    store = open_store(db)
    build(store)
    store.rows("CHECKPOINT")
    filler = _fill(small_disk)
    with pytest.raises(StoreWriteError, match=DISK_FULL):
        with store.transaction() as cur:
            store.audit(cur, "test", "marker")
    with pytest.raises(DrawError, match=DISK_FULL):  # the pages show a DrawError as they always did
        with store.transaction(raise_as=DrawError) as cur:
            store.audit(cur, "test", "marker")
    filler.unlink()
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'marker'") == 0
    close_store(db)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (duckdb.IOException('Could not write file "x.wal": No space left on device'), DISK_FULL),
        (
            duckdb.TransactionException(
                'TransactionContext Error: Failed to commit: Could not write file "x.wal": '
                "No space left on device"
            ),
            DISK_FULL,
        ),
        (duckdb.IOException("File too large"), DISK_FULL),
        (
            duckdb.OutOfMemoryException(
                "Out of Memory Error: failed to allocate data of size 4.0 GiB"
            ),
            "服务器内存不足",
        ),
        (
            duckdb.InvalidInputException("String value is too large: maximum length is 4294967295"),
            "超过数据库允许的长度",
        ),
        (
            duckdb.TransactionException("TransactionContext Error: Failed to commit: something"),
            "数据库未能保存本次修改，未写入任何数据",
        ),
    ],
)
def test_each_cause_has_its_sentence(error, expected):
    sentence = write_failure(error)
    assert sentence is not None and expected in sentence
    assert "TransactionContext" not in sentence.split("：", 1)[0]


def test_data_errors_keep_their_own_message():
    assert write_failure(duckdb.ConstraintException("Duplicate key")) is None
    assert write_failure(duckdb.BinderException("column x")) is None


def test_tmpfs_helper_really_fills(small_disk):
    filler = _fill(small_disk)
    with pytest.raises(OSError):
        (small_disk / "more").write_bytes(b"x" * 8192)
    filler.unlink()
    shutil.disk_usage(small_disk)
