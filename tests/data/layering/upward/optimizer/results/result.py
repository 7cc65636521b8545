def render(result):
    from ..report.words import words  # expect: layers

    return words(result)
