import pandas as pd

from ..fmt import keur
from ..results.result import Result
from ._style import BOLD


def render(result: Result) -> str:
    return BOLD + keur(1000.0) + BOLD


def table(result: Result):
    return pd.DataFrame([result.to_dict()])


def plot(result: Result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.savefig(path)
