# expect: unplaced
TEXT = "text"
