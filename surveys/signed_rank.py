"""The Wilcoxon signed-rank test on counted differences, exact with ties and zeros.

SciPy's `stats.wilcoxon` (1.17) has no exact method for tied or zero differences: below 14 differences it
enumerates every sign pattern with a permutation test (about 260 ms each), and above that it uses the
normal approximation. Survey answers on a 1-5 scale are nearly all ties, so here the null distribution
is computed exactly instead, by a dynamic programme over doubled midranks (integers): each of the n
non-zero differences keeps its rank and is positive or negative with probability 1/2, all 2^n sign
patterns equally likely. That is the distribution SciPy's permutation test enumerates, computed in
O(n * n(n + 1)) additions rather than 2^n statistics.

Conventions are SciPy's defaults: zero differences are dropped (zero_method="wilcox", Wilcoxon's own);
ties get their average rank; the test is two-sided, p = min(1, 2 * min(P(T+ <= t), P(T+ >= t))).
Beyond EXACT_MAX_N non-zero differences, the normal approximation with the tie correction of the
variance and a continuity correction of one half (as `stats.wilcoxon(..., correction=True,
method="asymptotic")`), which is accurate to well under the four decimals the report shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

# Past a few hundred differences the DP's cost (n steps over n(n + 1) sums) outgrows its use: the
# normal approximation is then as good as the four decimals the report prints.
EXACT_MAX_N = 200


def _rank_groups(diff_counts: Mapping[float, int]) -> tuple[list[tuple[int, int, int]], int]:
    """[(doubled midrank, differences in the tie group, positive ones)] by |difference|, and n (zeros dropped)."""
    by_size: dict[float, list[int]] = {}
    for diff, count in diff_counts.items():
        if count <= 0 or diff == 0:
            continue
        entry = by_size.setdefault(abs(diff), [0, 0])
        entry[0] += count
        if diff > 0:
            entry[1] += count
    groups = []
    below = 0
    for size in sorted(by_size):
        tied, positive = by_size[size]
        # Ranks below+1 .. below+tied share their average, (2*below + tied + 1) / 2: doubled, an integer.
        groups.append((2 * below + tied + 1, tied, positive))
        below += tied
    return groups, below


def null_distribution(groups: list[tuple[int, int, int]], n: int) -> np.ndarray:
    """P(2*T+ = s) for s = 0 .. n(n + 1) under random signs, over the doubled ranks of `groups`."""
    pmf = np.zeros(n * (n + 1) + 1)
    pmf[0] = 1.0
    top = 0  # the largest sum reached so far; nothing above it is non-zero yet
    for doubled, tied, _positive in groups:
        for _ in range(tied):
            # Each difference is negative (sum unchanged) or positive (sum + its rank), each with p = 1/2.
            pmf[doubled : doubled + top + 1] += pmf[: top + 1]
            top += doubled
            pmf[: top + 1] *= 0.5
    return pmf


def _normal_p_value(doubled_statistic: int, groups: list[tuple[int, int, int]], n: int) -> float:
    statistic = doubled_statistic / 2
    mean = n * (n + 1) / 4
    tie_correction = sum(tied**3 - tied for _doubled, tied, _positive in groups)
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - tie_correction / 48)
    deviation = statistic - mean
    deviation -= math.copysign(0.5, deviation) if deviation else 0.0
    return math.erfc(abs(deviation / sd) / math.sqrt(2))


def signed_rank_p_value(diff_counts: Mapping[float, int]) -> float | None:
    """Two-sided Wilcoxon signed-rank p-value from {difference: how many}; None when no difference is non-zero."""
    groups, n = _rank_groups(diff_counts)
    if n == 0:
        return None
    doubled_statistic = sum(doubled * positive for doubled, _tied, positive in groups)
    if n > EXACT_MAX_N:
        return _normal_p_value(doubled_statistic, groups, n)
    pmf = null_distribution(groups, n)
    # Both tails summed directly (no 1 - x), so a small p-value keeps its precision.
    lower = float(pmf[: doubled_statistic + 1].sum())
    upper = float(pmf[doubled_statistic:].sum())
    return min(1.0, 2 * min(lower, upper))
