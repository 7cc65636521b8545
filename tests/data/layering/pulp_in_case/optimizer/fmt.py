def keur(value):
    import pulp  # expect: solver-free

    return pulp.value(value)
