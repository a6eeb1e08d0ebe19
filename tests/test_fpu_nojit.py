"""The FPU computes the same bits as plain Python (NUMBA_DISABLE_JIT=1) as compiled.

Python integers never overflow, Numba's int64 wrap; the FPU keeps every
intermediate within int64 so both agree.  A child interpreter runs a batch of
random instructions with the JIT disabled and the results are compared with
the compiled ones.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

from rvisor.hw import fpu

H = 0
ROOT = Path(__file__).resolve().parents[1]

SPECIAL_D = [0, 1 << 63, 0x7FF0000000000000, 0x7FF8000000000000, 0x7FF0000000000001, 1,
             0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF, 0x3FF0000000000000,
             0x43E0000000000000, 0xC3E0000000000000, 0x41E0000000000000, 0x3FEFFFFFFFFFFFFF]
SPECIAL_S = [0, 1 << 31, 0x7F800000, 0x7FC00000, 0x7F800001, 1, 0x007FFFFF, 0x00800000, 0x7F7FFFFF,
             0x3F800000, 0x5F000000, 0xDF000000, 0x4F000000]

CHILD = """
import json, sys
import numpy as np
from rvisor.hw import fpu
out = []
for insn, fr, xr, fcsr in json.load(sys.stdin):
    x = np.array([xr], dtype=np.int64)
    f = np.array([fr], dtype=np.int64)
    csr = np.zeros((1, 4096), dtype=np.int64)
    csr[0, 3] = fcsr
    csr[0, 0x300] = 1 << 13
    st = fpu.fp_execute(insn, 0, x, f, csr)
    out.append([st, [int(v) for v in x[0]], [int(v) for v in f[0]], int(csr[0, 3]), int(csr[0, 0x300])])
json.dump(out, sys.stdout)
"""


def s64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def operand(rng: random.Random, dbl: bool) -> int:
    if rng.random() < 0.3:
        v = rng.choice(SPECIAL_D if dbl else SPECIAL_S)
        v ^= rng.getrandbits(2)
    elif dbl:
        v = rng.getrandbits(64)
        if rng.random() < 0.5:
            v = (v & ~(0x7FF << 52)) | ((1023 + rng.randint(-70, 70)) & 0x7FF) << 52
    else:
        v = rng.getrandbits(32)
    return s64(v) if dbl else s64(v | 0xFFFFFFFF00000000)


def random_insn(rng: random.Random) -> int:
    fmt = rng.randrange(2)
    rm = rng.choice([0, 1, 2, 3, 4, 7])
    rd, rs1, rs2, rs3 = rng.randrange(32), 1, 2, 3
    kind = rng.randrange(10)
    if kind <= 3:
        return rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | (0x43 + 4 * kind)
    funct5 = rng.choice([0, 1, 2, 3, 11, 4, 5, 8, 20, 24, 26, 28, 30])
    if funct5 in (11, 28, 30):
        rs2 = 0
    elif funct5 == 8:
        rs2 = 1 - fmt
    elif funct5 in (24, 26):
        rs2 = rng.randrange(4)
    if funct5 in (4, 5, 20, 28, 30):
        rm = rng.randrange(3)
    return funct5 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | 0x53


def test_plain_python_matches_compiled() -> None:
    rng = random.Random(2024)
    cases = []
    for _ in range(1500):
        insn = random_insn(rng)
        dbl = (insn >> 25) & 1 == 1
        fr = [operand(rng, dbl) for _ in range(32)]
        xr = [0] + [s64(rng.choice([rng.getrandbits(64), rng.getrandbits(20), -rng.getrandbits(40)]))
                    for _ in range(31)]
        cases.append([insn, fr, xr, rng.randrange(5) << 5])
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(cases), capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600, check=True)
    child = json.loads(proc.stdout)
    for (insn, fr, xr, fcsr), want in zip(cases, child, strict=True):
        x = np.array([xr], dtype=np.int64)
        f = np.array([fr], dtype=np.int64)
        csr = np.zeros((1, 4096), dtype=np.int64)
        csr[0, 3] = fcsr
        csr[0, 0x300] = 1 << 13
        st = fpu.fp_execute(insn, H, x, f, csr)
        got = [st, [int(v) for v in x[0]], [int(v) for v in f[0]], int(csr[0, 3]), int(csr[0, 0x300])]
        assert got == want, f"insn {insn:#010x}: compiled {got[0]} vs python {want[0]}"
