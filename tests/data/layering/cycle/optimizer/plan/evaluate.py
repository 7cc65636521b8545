from .scenarios import draws  # expect: cycle


def effects():
    return draws()
