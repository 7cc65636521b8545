import pulp.apis  # expect: solver

SOLVERS = pulp.apis  # expect: solver
