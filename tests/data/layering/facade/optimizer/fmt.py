from . import errors  # expect: facade

ERROR = errors.OptimizerError
