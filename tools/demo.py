"""The old name of tools/train_toy.py (the toy demos: train, test, draw),
kept for one release: it says so in one line and runs tools/train_toy.py
with the same arguments."""
import os.path as osp
import runpy
import sys

if __name__ == '__main__':
    print('notice: tools/demo.py is now tools/train_toy.py (it trains the '
          'toy demos); the old name goes in the next release',
          file=sys.stderr, flush=True)
    sys.argv[0] = osp.join(osp.dirname(osp.abspath(__file__)), 'train_toy.py')
    runpy.run_path(sys.argv[0], run_name='__main__')
