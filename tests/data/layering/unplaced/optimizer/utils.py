# expect: unplaced
WORDS = "words"
