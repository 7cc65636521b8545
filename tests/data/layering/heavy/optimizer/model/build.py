import pandas  # expect: heavy

FRAME = pandas.DataFrame
