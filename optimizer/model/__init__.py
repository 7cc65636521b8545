"""The linear programs: the MILP of MODEL.md (`milp`), the CVaR rows (`cvar`), scaling checks.

Built with PuLP; no solver runs here (that is `solvers/`), and nothing here imports it.
"""
