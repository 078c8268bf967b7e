#!/usr/bin/env python3
"""Reference values for campaign/stats.go, computed independently.

Run from the repository root to rewrite campaign/testdata/stats.json:

    python3 campaign/testdata/stats.py > campaign/testdata/stats.json

Only the Python standard library is used. The Go code computes Student's t
distribution through the regularised incomplete beta function (a continued
fraction); this script does not: it integrates the t density numerically
(composite Simpson's rule on [0, |t|], whose error is far below the
tolerance of the tests) and finds quantiles by bisection. Means, sample
variances and the Welch-Satterthwaite degrees of freedom are computed in two
passes from the raw values, not from running sums as the Go code keeps them.

Cases:
  t_cdf       P(T <= t) for T ~ Student t with df degrees of freedom
  t_quantile  the t with P(T <= t) = p
  ci95        the 95% interval mean -/+ t(0.975, n-1) * sqrt(s^2/n * (1 - n/N))
              of the values, with N the population (people invited); N = 0
              means no finite-population correction
  welch       Welch's t test of a against b: the difference of the means,
              t, the degrees of freedom and the two-sided p-value
  holm        Holm's step-down adjusted p-values, max over j <= i of
              min(1, (m - j + 1) * p(j)) in ascending order of p, and which
              are below or at 0.05
"""
import json
import math
import random


def t_density(x, df):
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return c * (1 + x * x / df) ** (-(df + 1) / 2)


def t_cdf(t, df, steps=20000):
    """0.5 + the integral of the density from 0 to t, by Simpson's rule."""
    if t == 0:
        return 0.5
    a = abs(t)
    h = a / steps
    s = t_density(0, df) + t_density(a, df)
    for i in range(1, steps):
        s += (4 if i % 2 else 2) * t_density(i * h, df)
    half = s * h / 3
    return 0.5 + half if t > 0 else 0.5 - half


def t_quantile(p, df):
    lo, hi = -1.0, 1.0
    while t_cdf(lo, df, 2000) > p:
        lo *= 2
    while t_cdf(hi, df, 2000) < p:
        hi *= 2
    for _ in range(80):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return (lo + hi) / 2


def mean_var(xs):
    n = len(xs)
    m = sum(xs) / n
    return m, sum((x - m) ** 2 for x in xs) / (n - 1)


def ci95(xs, population):
    n = len(xs)
    m, v = mean_var(xs)
    fpc = 1 - n / population if population >= n else 1.0
    half = t_quantile(0.975, n - 1) * math.sqrt(v / n * fpc)
    return m - half, m + half


def welch(a, b):
    ma, va = mean_var(a)
    mb, vb = mean_var(b)
    sa, sb = va / len(a), vb / len(b)
    t = (ma - mb) / math.sqrt(sa + sb)
    df = (sa + sb) ** 2 / (sa * sa / (len(a) - 1) + sb * sb / (len(b) - 1))
    p = 2 * (1 - t_cdf(abs(t), df))
    return ma - mb, t, df, p


def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        adjusted[i] = running
    return adjusted


def indices(rng, n, centre, spread):
    """Per-respondent indices on the 0..100 scale, as answers on a 1..5
    scale averaged over a few statements would give them."""
    out = []
    for _ in range(n):
        answers = [min(5, max(1, round(rng.gauss(centre, spread)))) for _ in range(4)]
        out.append((sum(answers) / len(answers) - 1) / 4 * 100)
    return out


def main():
    rng = random.Random(20261102)
    cases = {"t_cdf": [], "t_quantile": [], "ci95": [], "welch": [], "holm": []}
    for t, df in [(0.5, 1), (-1.5, 2), (2.0, 3.5), (2.228138851986, 10), (-3.0, 7.25), (1.0, 30), (4.5, 12.8), (0.1, 100)]:
        cases["t_cdf"].append({"t": t, "df": df, "p": t_cdf(t, df)})
    for p, df in [(0.975, 1), (0.975, 2), (0.975, 4), (0.975, 9), (0.975, 26), (0.975, 148), (0.025, 5.5), (0.9, 13.3)]:
        cases["t_quantile"].append({"p": p, "df": df, "t": t_quantile(p, df)})

    for name, n, population, centre, spread in [
        ("six of six", 6, 6, 3.5, 0.9),
        ("five of ten", 5, 10, 2.5, 1.1),
        ("nine of nine less one", 8, 9, 4.0, 0.7),
        ("27 of 32", 27, 32, 3.2, 1.0),
        ("no population", 12, 0, 3.0, 1.2),
        ("two people", 2, 40, 3.0, 1.0),
    ]:
        xs = indices(rng, n, centre, spread)
        low, high = ci95(xs, population)
        cases["ci95"].append({"name": name, "values": xs, "population": population, "low": low, "high": high})

    for name, na, nb, ca, cb in [
        ("clear", 9, 18, 4.2, 2.4),
        ("none", 6, 21, 3.1, 3.0),
        ("small groups", 5, 5, 3.6, 2.9),
        ("unequal spread", 14, 40, 3.0, 3.4),
    ]:
        a = [x - y for x, y in zip(indices(rng, na, ca, 0.8), indices(rng, na, 6 - ca, 0.8))]
        b = [x - y for x, y in zip(indices(rng, nb, cb, 1.2), indices(rng, nb, 6 - cb, 1.2))]
        diff, t, df, p = welch(a, b)
        cases["welch"].append({"name": name, "a": a, "b": b, "difference": diff, "t": t, "df": df, "p": p})

    for ps in [[0.01, 0.04, 0.03, 0.005], [0.2, 0.001, 0.049, 0.6, 0.012], [0.03], [0.5, 0.5]]:
        adj = holm(ps)
        cases["holm"].append({"p": ps, "adjusted": adj, "reject": [a <= 0.05 for a in adj]})
    json.dump(cases, __import__("sys").stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
