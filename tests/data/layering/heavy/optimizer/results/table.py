import pandas as pd

TABLE = pd.DataFrame
