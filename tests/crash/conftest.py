import os
import sys

# crash_util lives next to the tests
sys.path.insert(0, os.path.dirname(__file__))
