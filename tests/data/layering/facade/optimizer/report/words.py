from optimizer import Result  # expect: facade

RESULT = Result
