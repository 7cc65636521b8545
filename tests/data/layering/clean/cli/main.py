import sys

import optimizer
from optimizer import __version__
from optimizer.case import load_case


def main():
    case = load_case(sys.argv[1] if len(sys.argv) > 1 else '{"levers": []}')
    print(optimizer.__version__, __version__, len(case.levers))
    sys.exit(0)
