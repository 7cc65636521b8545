import highspy
import pulp
from pulp import PULP_CBC_CMD, apis


def run(prob):
    prob.solve(PULP_CBC_CMD(msg=False))
    return pulp.getSolver("HiGHS"), highspy.Highs(), apis
