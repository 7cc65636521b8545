def draw():
    from scipy import stats  # expect: heavy

    return stats.norm.cdf(0.0)


def plot():
    import matplotlib.pyplot as plt  # expect: heavy

    return plt
