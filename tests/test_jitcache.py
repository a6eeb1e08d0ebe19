"""The engine's compile cache is dropped when any engine source changes, and only then."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rvisor.hw import jitcache


# a stale stamp makes the engine's index files go; other files and a matching stamp stay
def test_stale_index_files_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("NUMBA_DISABLE_JIT", raising=False)
    sub = jitcache.cache_roots()[0]
    assert sub.parent == tmp_path
    sub.mkdir()
    elsewhere = tmp_path / "other_project" / "alu.add-1.py311.nbi"  # another project's cache entry
    elsewhere.parent.mkdir()
    elsewhere.write_text("x")
    engine_index = sub / "engine.run-371.py311.nbi"
    csr_index = sub / "csr.csr_write-120.py311.nbi"
    other = sub / "plic.something-1.py311.nbi"
    data = sub / "engine.run-371.py311.1.nbc"
    for p in (engine_index, csr_index, other, data):
        p.write_text("x")
    (sub / jitcache.STAMP).write_text("an older digest\n")
    jitcache.drop_stale_cache()
    assert not engine_index.exists() and not csr_index.exists()
    assert other.exists() and data.exists() and elsewhere.exists()
    assert (sub / jitcache.STAMP).read_text().strip() == jitcache.sources_digest()
    engine_index.write_text("x")  # compiled again by Numba
    jitcache.drop_stale_cache()
    assert engine_index.exists()


# the digest covers every compiled module's source
def test_digest_covers_all_engine_modules() -> None:
    h = hashlib.sha256()
    for name in jitcache.MODULES:
        h.update((jitcache.HERE / f"{name}.py").read_bytes())
    assert jitcache.sources_digest() == h.hexdigest()
    assert {"engine", "csr", "mmu", "trap", "fpu"} <= set(jitcache.MODULES)


# the compressed-instruction table is the same compiled and as plain Python (NUMBA_DISABLE_JIT=1)
def test_rvc_table_same_without_jit() -> None:
    code = ("import hashlib; from rvisor.hw.rvc import build_table; "
            "print(hashlib.sha256(build_table().tobytes()).hexdigest())")
    out = {}
    for mode in ("0", "1"):
        env = dict(os.environ, NUMBA_DISABLE_JIT=mode)
        out[mode] = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                   check=True, timeout=300).stdout.strip()
    assert out["0"] == out["1"] and len(out["0"]) == 64
