"""Sensitivity runs: sweeps, the risk-target frontier with its entry points, the tornado.

    >>> import optimizer
    >>> case = optimizer.load_case("cases/aura-average-2020.json")     # doctest: +SKIP
    >>> optimizer.sweep(case, {"target.private_share": [0.55, 0.6]})   # doctest: +SKIP
    >>> optimizer.frontier(case).events                                # doctest: +SKIP
    >>> optimizer.tornado(case, 0.2).head()                            # doctest: +SKIP

Every point is an exact optimum: the same minimum EUR at risk as `optimize` on that
point. The speed comes from `engine.py` (the model built once, HiGHS in-process,
exact shortcuts between targets, points spread over the cores). Modules are imported
by name (`sweep`, `frontier`, `tornado`); this package re-exports nothing.
"""
