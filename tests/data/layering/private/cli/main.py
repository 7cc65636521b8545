from optimizer.report._style import BOLD  # expect: private

import optimizer.results.result
from optimizer._version import __version__  # expect: private


def main():
    return optimizer.results.result._num(1), __version__, BOLD  # expect: private
