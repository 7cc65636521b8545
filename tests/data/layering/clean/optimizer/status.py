import enum


class Status(enum.Enum):
    OPTIMAL = "optimal"
