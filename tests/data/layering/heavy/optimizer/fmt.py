import pandas as pd  # expect: heavy


def keur(value):
    return pd.Series([value]).sum()
