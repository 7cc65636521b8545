class OptimizerError(Exception):
    pass


class CaseError(OptimizerError):
    pass
