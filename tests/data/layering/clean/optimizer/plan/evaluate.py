import numpy as np

from ..case import Case


def frame(case: Case):
    import pandas as pd

    return pd.DataFrame({"levers": np.array([len(case.levers)])})
