"""How long the selection assistant takes on large pools (pure function; no database).

python bench/selection.py
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schools.selection import Candidate, propose_cohort


def pool(size, seed=1):
    rng = random.Random(seed)
    return [
        Candidate(
            id=i,
            institution_id=rng.randint(1, max(size // 4, 2)),
            area=f"NS{rng.randint(1, 12)}",
            is_send=rng.random() < 0.15,
            idaci_decile=rng.randint(1, 10),
            fsm_pct=rng.uniform(0, 60),
            police_first_choice=rng.random() < 0.66,
            has_consent=rng.random() < 0.85,
        )
        for i in range(1, size + 1)
    ]


for size, capacity in [(30, 16), (300, 64), (3000, 256)]:
    candidates = pool(size)
    start = time.perf_counter()
    picks = propose_cohort(candidates, capacity=capacity, reserved_send=capacity // 4, cap_per_institution=3)
    elapsed = time.perf_counter() - start
    chosen = sum(p.selected for p in picks)
    print(f"pool {size:>5}  capacity {capacity:>4}  chosen {chosen:>4}  {elapsed * 1000:8.1f} ms")
