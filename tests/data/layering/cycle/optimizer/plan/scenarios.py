def draws():
    from .evaluate import effects  # expect: cycle

    return effects
