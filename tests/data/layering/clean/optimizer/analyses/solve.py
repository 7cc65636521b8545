from ..case import Case
from ..model.build import build
from ..results import result
from ..solvers import cbc


class Engine:
    def solve(self, target):
        return target


def solve(case: Case) -> result.Result:
    engine = Engine()
    engine.solve(1.0)
    return result.Result(cbc.run(build(case)))


def cached(outcome):
    result = outcome
    return result._cache
