class OptimizerError(Exception):
    pass
