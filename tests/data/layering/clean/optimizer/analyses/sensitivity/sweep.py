from ...plan.evaluate import frame
from ..solve import solve


def sweep(cases):
    return [solve(case) for case in cases], [frame(case) for case in cases]
