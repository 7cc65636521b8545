from ..model import build  # expect: layers

BUILD = build
