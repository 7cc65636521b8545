def result_type():
    import optimizer  # expect: facade

    return optimizer.Result
