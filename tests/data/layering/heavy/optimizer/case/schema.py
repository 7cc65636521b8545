from ..fmt import keur

WORDS = keur
