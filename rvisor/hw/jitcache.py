"""Keeping Numba's on-disk cache of the engine honest.

Numba's ``cache=True`` checks only the file that defines a function: when
``csr.py`` changes, the cached ``engine.run`` (which has the old CSR code
compiled into it) would still be loaded.  Before the engine is imported,
``drop_stale_cache`` hashes the sources of every compiled hardware module and,
when the hash differs from the one recorded at the last compile, removes
their cache index files so that Numba compiles them again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the modules whose njit functions are compiled into the engine
MODULES = (
    "alu", "clint", "csr", "edev", "engine", "fpu", "gstage", "hcsr", "hext", "layout", "mmu", "rvc", "tlb",
    "trap", "uart",
)
STAMP = "rvisor-engine-sources.sha256"


# runs while the engine module is imported: a digest of all engine sources
def sources_digest() -> str:
    h = hashlib.sha256()
    for name in MODULES:
        h.update((HERE / f"{name}.py").read_bytes())
    return h.hexdigest()


# runs while the engine module is imported: where Numba keeps the cache for these sources
def cache_roots() -> list[Path]:
    custom = os.environ.get("NUMBA_CACHE_DIR")
    if not custom:
        return [HERE / "__pycache__"]
    # Numba's own per-folder subdirectory, so that other projects sharing the directory are untouched
    sub = "hw_" + hashlib.sha1(str(HERE).encode()).hexdigest()
    try:
        from numba.core.caching import _CacheLocator

        sub = _CacheLocator.get_suitable_cache_subpath(str(HERE / "engine.py"))
    except (ImportError, AttributeError):
        pass
    return [Path(custom) / sub]


# runs while the engine module is imported, before any njit function is loaded
def drop_stale_cache() -> None:
    if os.environ.get("NUMBA_DISABLE_JIT") == "1":
        return
    digest = sources_digest()
    for root in cache_roots():
        stamp = root / STAMP
        try:
            if stamp.read_text().strip() == digest:
                continue
        except OSError:
            pass
        try:
            root.mkdir(parents=True, exist_ok=True)
            for name in MODULES:
                for index in root.rglob(f"{name}.*.nbi"):
                    index.unlink(missing_ok=True)
            stamp.write_text(digest + "\n")
        except OSError:
            continue  # a read-only cache location: Numba then compiles in memory anyway
