from .levers import base  # expect: layers

ERRORS = [base]
