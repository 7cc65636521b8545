# expect: unplaced
SHADOWED = "Python imports plan/__init__.py instead"
