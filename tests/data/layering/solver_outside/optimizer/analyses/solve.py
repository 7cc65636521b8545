import pulp
from pulp import PULP_CBC_CMD  # expect: solver

from ..model.build import build
from ..solvers import highs


class Engine:
    def solve(self, target):
        return target


def solve():
    milp = build()
    milp.solve()  # expect: solver
    engine = Engine()
    engine.solve(2)
    highs.run(milp)
    return pulp.getSolver("HiGHS"), PULP_CBC_CMD  # expect: solver


def session():
    import highspy  # expect: solver

    return highspy.Highs()


def tracked():
    plan = pulp.LpProblem("plan")
    plan.solve()  # expect: solver
