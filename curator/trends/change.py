"""Whether a topic rose or fell between two periods, with a test that noise does not pass.

The question for each topic: did its *share* of the period's items change? A plain ratio of
counts calls 1 -> 3 items "+200 %", and a busier month makes every topic look like rising. So:

- Given ``current`` items of the topic in the current period and ``previous`` in the one before,
  with ``total_current`` and ``total_previous`` items in all, a topic whose share did not change
  splits its ``current + previous`` items between the periods like a binomial draw with
  ``p = total_current / (total_current + total_previous)`` (conditional binomial test, the exact
  test for two Poisson rates).
- ``rising`` needs all of: at least ``min_items`` items now, a one-sided p-value below ``alpha``
  divided by the number of topics tested (Bonferroni: with 30 topics, one flat topic passing
  ``alpha`` by chance is likely, all of them together at most ``alpha``), and a share at least
  ``min_ratio`` times the previous one (a significant but small change is not worth an editor's
  look). ``falling`` is the mirror image, with ``min_items`` in the previous period.
- ``change`` is the relative change of the share, with half an item added to both counts so that
  a topic new in this period has a finite change (``(1 + 0.5) / 0.5 - 1 = +200 %`` at equal totals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeRule:
    """The thresholds of :func:`assess_change` (docs/trends.md explains the choice)."""

    min_items: int = 5
    alpha: float = 0.05
    min_ratio: float = 1.5


@dataclass(frozen=True)
class Change:
    """The verdict for one topic: ``change`` (relative change of its share, 0.5 = +50 %),
    ``p_value`` (one-sided, in the direction of the change; 1.0 when nothing could be tested),
    ``rising``, ``falling`` (never both)."""

    change: float
    p_value: float
    rising: bool
    falling: bool


def share_change(current: int, previous: int, total_current: int, total_previous: int) -> float:
    """Relative change of the topic's share of all items, half an item added to both counts
    (0.0 when a period has no items at all)."""
    if total_current <= 0 or total_previous <= 0:
        return 0.0
    return ((current + 0.5) / total_current) / ((previous + 0.5) / total_previous) - 1.0


def binomial_tail(k: int, n: int, p: float, *, upper: bool) -> float:
    """P(X >= k) (``upper``) or P(X <= k) for X ~ Binomial(n, p), summed in log space (exact for
    the few thousand items of a period)."""
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError("need n >= 0 and 0 <= p <= 1")
    ks = range(max(k, 0), n + 1) if upper else range(0, min(k, n) + 1)
    if not ks:
        return 0.0
    if p in (0.0, 1.0):
        mass = 0 if p == 0.0 else n
        return 1.0 if mass in ks else 0.0
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p)
            + (n - i) * math.log1p(-p) for i in ks]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs))


def assess_change(current: int, previous: int, total_current: int, total_previous: int, *, tests: int = 1,
                  rule: ChangeRule | None = None) -> Change:
    """The verdict for a topic with ``current``/``previous`` items out of ``total_current``/
    ``total_previous``, one of ``tests`` topics tested together (see the module docstring).
    Nothing rises or falls when either period has no items: there is nothing to compare with."""
    rule = rule or ChangeRule()
    change = share_change(current, previous, total_current, total_previous)
    if total_current <= 0 or total_previous <= 0 or current + previous == 0:
        return Change(change, 1.0, False, False)
    p = total_current / (total_current + total_previous)
    n = current + previous
    level = rule.alpha / max(1, tests)
    if change > 0:
        p_value = binomial_tail(current, n, p, upper=True)
        rising = current >= rule.min_items and p_value < level and change + 1.0 >= rule.min_ratio
        return Change(change, p_value, rising, False)
    p_value = binomial_tail(current, n, p, upper=False)
    falling = previous >= rule.min_items and p_value < level and change + 1.0 <= 1.0 / rule.min_ratio
    return Change(change, p_value, False, falling)
