"""What the tools print: counts with their nouns in the right number."""
from mmmoga.utils import counted


def test_counts_take_the_singular_only_for_one():
    assert counted(1, 'image') == '1 image'
    assert counted(0, 'image') == '0 images'
    assert counted(2, 'image') == '2 images'
    assert counted(1, 'patch', 'patches') == '1 patch'
    assert counted(64, 'patch', 'patches') == '64 patches'
