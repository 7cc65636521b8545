def __getattr__(name):
    from .results.result import Result

    return Result
