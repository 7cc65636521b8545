import optimizer.case.schema  # expect: layers

SCHEMA = optimizer.case.schema
