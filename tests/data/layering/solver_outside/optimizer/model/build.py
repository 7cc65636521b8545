import pulp


def build():
    prob = pulp.LpProblem("plan", pulp.LpMinimize)
    prob += pulp.lpSum([])
    return prob
