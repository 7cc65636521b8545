from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def frame() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()
