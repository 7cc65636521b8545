import pulp  # expect: solver-free

from ..levers.base import words

SENSE = pulp.LpMinimize
WORDS = words
