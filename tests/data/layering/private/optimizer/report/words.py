from .._version import __version__
from ..results import result as result_module
from ..results.result import __all__ as RESULT_NAMES
from ..results.result import _num  # expect: private
from ._style import BOLD


def words():
    return result_module._CACHE  # expect: private


def shadowed(result_module):
    return result_module._CACHE


class Words:
    def _helper(self):
        return BOLD + __version__ + str(RESULT_NAMES) + str(_num(1))

    def run(self):
        return self._helper()
