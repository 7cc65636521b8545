import sys


def main():
    from optimizer.report import plot

    print("ran", sys.argv[1:], plot.__name__)
    sys.exit(3)
