# expect: unplaced
