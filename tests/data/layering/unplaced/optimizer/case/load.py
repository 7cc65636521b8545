from .missing import thing  # expect: unresolved

THING = thing
