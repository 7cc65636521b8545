import pulp  # expect: solver-free


class Model:
    prob: pulp.LpProblem
