import pulp

from ..case import Case


def build(case: Case) -> pulp.LpProblem:
    prob = pulp.LpProblem("plan", pulp.LpMinimize)
    prob += pulp.lpSum([len(case.levers)])
    return prob
