"""Rising and falling: a clear rise passes, noise does not (conditional binomial test)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from curator.trends import ChangeRule, assess_change, binomial_tail, share_change


def test_binomial_tail_matches_the_sum_of_exact_probabilities() -> None:
    n, p = 12, 0.3
    pmf = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    for k in (0, 3, 7, 12):
        assert binomial_tail(k, n, p, upper=True) == pytest.approx(sum(pmf[k:]))
        assert binomial_tail(k, n, p, upper=False) == pytest.approx(sum(pmf[: k + 1]))
    assert binomial_tail(13, n, p, upper=True) == 0.0
    assert binomial_tail(0, 5, 0.0, upper=False) == 1.0


def test_a_topic_that_triples_its_share_rises_and_one_that_stays_does_not() -> None:
    rising = assess_change(30, 10, 400, 400, tests=20)
    assert rising.rising and not rising.falling and rising.change == pytest.approx(30.5 / 10.5 - 1)
    flat = assess_change(12, 10, 400, 400, tests=20)
    assert not flat.rising and not flat.falling


def test_shares_not_counts_a_busier_period_lifts_nothing_by_itself() -> None:
    """Twice the items overall, twice the items of the topic: its share did not change."""
    verdict = assess_change(40, 20, 800, 400, tests=1)
    assert abs(verdict.change) < 0.05 and not verdict.rising


def test_a_falling_topic_needs_enough_items_before() -> None:
    assert assess_change(2, 30, 400, 400, tests=10).falling
    assert not assess_change(0, 4, 400, 400, tests=1).falling  # too few before to say anything


def test_small_counts_never_rise_however_large_the_ratio() -> None:
    verdict = assess_change(4, 0, 400, 400, tests=1)
    assert verdict.change > 5 and not verdict.rising  # below min_items, and 4:0 is a coin thrown 4 times
    assert assess_change(6, 0, 400, 400, tests=1).rising  # p = 1/64
    assert not assess_change(6, 0, 400, 400, tests=1, rule=ChangeRule(min_items=8)).rising


def test_nothing_to_compare_with_means_no_trend() -> None:
    assert assess_change(50, 0, 50, 0).rising is False
    assert share_change(5, 5, 0, 10) == 0.0


def test_noise_is_not_called_a_trend() -> None:
    """1000 simulated months of 25 flat topics (Poisson counts, the same rate in both periods,
    rates from 2 to 40 items): with Bonferroni over the topics, at most alpha (5 %) of the months
    may show any rising or falling topic; a threshold that flagged the largest random swing
    every month would fail here."""
    rng = np.random.default_rng(7)
    rates = np.linspace(2, 40, 25)
    flagged_months = 0
    for _ in range(1000):
        now, before = rng.poisson(rates), rng.poisson(rates)
        verdicts = [assess_change(int(a), int(b), int(now.sum()), int(before.sum()), tests=len(rates))
                    for a, b in zip(now, before, strict=True)]
        flagged_months += any(v.rising or v.falling for v in verdicts)
    assert flagged_months / 1000 <= 0.05


def test_a_planted_rise_among_noise_is_found() -> None:
    """The same months with one topic at four times its earlier rate (10 -> 40 items): found in
    most months (measured: 86 %), while the flat ones stay quiet. The price of the threshold:
    a doubling from 20 to 40 items is found in about a quarter of the months (docs/trends.md)."""
    rng = np.random.default_rng(11)
    rates = np.linspace(2, 40, 25)
    found = false_alarms = 0
    for _ in range(300):
        now, before = rng.poisson(rates), rng.poisson(rates)
        planted_now, planted_before = rng.poisson(40), rng.poisson(10)
        total_now, total_before = int(now.sum()) + planted_now, int(before.sum()) + planted_before
        found += assess_change(planted_now, planted_before, total_now, total_before, tests=26).rising
        false_alarms += sum(assess_change(int(a), int(b), total_now, total_before, tests=26).rising
                            for a, b in zip(now, before, strict=True))
    assert found / 300 >= 0.75
    assert false_alarms / (300 * 25) <= 0.01
