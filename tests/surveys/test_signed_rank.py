"""The signed-rank p-values against every sign pattern enumerated, and against SciPy's own methods."""

import random
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from surveys import signed_rank
from surveys.signed_rank import EXACT_MAX_N, signed_rank_p_value


def enumerated_p_value(diffs):
    """Two-sided p over all 2^n sign patterns of the non-zero differences (zeros dropped), as SciPy counts them."""
    nonzero = np.array([d for d in diffs if d != 0], dtype=float)
    ranks = stats.rankdata(np.abs(nonzero))  # average ranks for ties
    observed = ranks[nonzero > 0].sum()
    patterns = (np.arange(2 ** len(nonzero))[:, None] >> np.arange(len(nonzero))) & 1
    null = patterns @ ranks
    tolerance = 1e-9
    lower = np.mean(null <= observed + tolerance)
    upper = np.mean(null >= observed - tolerance)
    return min(1.0, 2 * min(lower, upper))


def random_likert_differences(rng, n):
    """Differences of two 1-5 answers: many ties and zeros, like the surveys'."""
    return [rng.randint(1, 5) - rng.randint(1, 5) for _ in range(n)]


def test_equals_full_enumeration_on_many_small_samples_with_ties_and_zeros():
    rng = random.Random(17)
    checked = 0
    for _ in range(600):
        diffs = random_likert_differences(rng, rng.randint(1, 12))
        if rng.random() < 0.3:  # also wider differences, where ties are fewer
            diffs = [rng.randint(-9, 9) for _ in diffs]
        if not any(diffs):
            assert signed_rank_p_value(Counter(diffs)) is None
            continue
        assert signed_rank_p_value(Counter(diffs)) == pytest.approx(enumerated_p_value(diffs), abs=1e-9), diffs
        checked += 1
    assert checked > 500


def test_equals_scipys_permutation_test():
    """SciPy enumerates every pattern itself when 2^n is below n_resamples (and is slow, so a few samples)."""
    rng = random.Random(5)
    for n in (3, 6, 9, 12, 12, 12):
        diffs = random_likert_differences(rng, n)
        diffs[0] = diffs[0] or 1
        expected = stats.wilcoxon(diffs, method=stats.PermutationMethod(n_resamples=9999)).pvalue
        assert signed_rank_p_value(Counter(diffs)) == pytest.approx(expected, abs=1e-9), diffs


def test_near_scipys_random_permutation_test_on_larger_samples():
    """Past 2^13 patterns SciPy samples them; the exact value must sit within the sampling error."""
    rng = random.Random(11)
    resamples = 20000
    for n in (30, 80):
        diffs = [d + (1 if rng.random() < 0.3 else 0) for d in random_likert_differences(rng, n)]
        method = stats.PermutationMethod(n_resamples=resamples, rng=np.random.default_rng(3))
        sampled = stats.wilcoxon(diffs, method=method).pvalue
        exact = signed_rank_p_value(Counter(diffs))
        assert 0.001 < exact < 0.999  # a p-value with room to be wrong either way
        error = 4 * np.sqrt(exact * (1 - exact) / resamples) * 2 + 2 / resamples
        assert exact == pytest.approx(sampled, abs=error), (diffs, exact, sampled)


def test_equals_scipys_exact_method_without_ties():
    rng = random.Random(23)
    for _ in range(200):
        n = rng.randint(1, 50)  # SciPy's exact method goes up to 50
        diffs = [size * rng.choice((-1, 1)) for size in rng.sample(range(1, 500), n)]
        expected = stats.wilcoxon(diffs, method="exact").pvalue
        assert signed_rank_p_value(Counter(diffs)) == pytest.approx(expected, abs=1e-12), diffs


def test_large_samples_use_the_normal_approximation_with_tie_and_continuity_correction():
    rng = random.Random(31)
    for n in (int(EXACT_MAX_N * 1.5), 400, 5000):
        diffs = [d + rng.choice((0, 0, 1)) for d in random_likert_differences(rng, n)]
        nonzero = [d for d in diffs if d]
        assert len(nonzero) > EXACT_MAX_N
        expected = stats.wilcoxon(nonzero, correction=True, method="asymptotic").pvalue
        assert signed_rank_p_value(Counter(diffs)) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_exact_and_approximate_agree_where_they_meet(monkeypatch):
    rng = random.Random(41)
    for _ in range(20):
        counts = Counter(random_likert_differences(rng, EXACT_MAX_N + 40))
        while sum(c for d, c in counts.items() if d) > EXACT_MAX_N:
            counts[rng.choice([d for d, c in counts.items() if d and c])] -= 1
        exact = signed_rank_p_value(counts)
        monkeypatch.setattr(signed_rank, "EXACT_MAX_N", 0)
        approximate = signed_rank_p_value(counts)
        monkeypatch.undo()
        assert exact == pytest.approx(approximate, abs=0.002)


def test_counts_and_edge_cases():
    assert signed_rank_p_value({}) is None
    assert signed_rank_p_value({0: 7}) is None
    assert signed_rank_p_value({3: 0, 0: 2}) is None
    assert signed_rank_p_value({4: 1}) == 1.0
    assert signed_rank_p_value({1: 4}) == 2 / 16  # all four positive: 1 pattern in 16, both tails
    assert signed_rank_p_value({2: 3, 0: 5, -1: 1}) == signed_rank_p_value({2: 3, -1: 1})
    # Counted and listed differences are the same sample.
    assert signed_rank_p_value({1: 2, -2: 1, 3: 3}) == signed_rank_p_value(Counter([1, 1, -2, 3, 3, 3]))
