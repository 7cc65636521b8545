"""Frozen answers and their `to_dict`: Result, the CVaR comparison, Simulation, Frontier,
sweep points. Words, tables and plots are `report/`'s (above); results never call
the analyses that make them."""
