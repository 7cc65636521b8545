import importlib


def main():
    return importlib.import_module("pulp.apis")  # expect: solver
