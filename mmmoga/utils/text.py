"""Words the tools print."""


def counted(count: int, noun: str, plural: str = '') -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is
    one: ``counted(1, 'image')`` is '1 image', ``counted(3, 'image')`` '3
    images'; ``plural`` where adding an s does not make it."""
    return f'{count} {noun if count == 1 else plural or noun + "s"}'
