import pulp
from pulp.apis import PULP_CBC_CMD

from ..status import Status


def run(prob: pulp.LpProblem) -> Status:
    prob.solve(PULP_CBC_CMD(msg=False))
    return Status.OPTIMAL


def highs_version():
    import highspy

    return highspy.Highs().version()
