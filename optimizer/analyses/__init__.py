"""The analyses a user asks for: `solve` (dispatch on the objective), `diagnose`, the
marginal risk, `simulate`, the CVaR plan, and the sensitivity runs (`sensitivity/`).

The only layer that combines a model with a solver. Modules are imported by name
(`optimizer.analyses.solve`); this package re-exports nothing, so that a module and the
function it is named after never shadow each other.
"""
