"""The arithmetic of a plan: its figures (`evaluate`), and its scenarios (`scenarios`).

No solver here: a plan is a mapping lever id -> decision value, evaluated through
each lever's own `effects` and `scenario_lines`.
"""
