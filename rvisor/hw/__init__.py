"""The hardware: harts, the execute engine, memory, devices and the board."""

from rvisor.hw.jitcache import drop_stale_cache

drop_stale_cache()  # before any compiled engine function can be loaded from Numba's disk cache
