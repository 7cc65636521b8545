import optimizer
from optimizer import Result

RESULT = Result, optimizer
