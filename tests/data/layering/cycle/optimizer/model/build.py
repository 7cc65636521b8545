from .terms import Terms  # expect: cycle


class Model:
    terms: Terms
