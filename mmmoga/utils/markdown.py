"""Generated sections of Markdown files, kept between marker comments."""
import re


def replace_marked_section(text: str, name: str, content: str) -> str:
    """``text`` with what stands between ``<!-- NAME:start -->`` and
    ``<!-- NAME:end -->`` replaced by ``content``.

    Raises:
        ValueError: ``text`` has no such section.
    """
    start, end = f'<!-- {name}:start -->', f'<!-- {name}:end -->'
    pattern = re.compile(re.escape(start) + '.*?' + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f'no {start} ... {end} section')
    return pattern.sub(lambda _: f'{start}\n{content}\n{end}', text)


def update_marked_file(path: str, name: str, content: str):
    """Rewrites the section ``name`` of the Markdown file ``path``."""
    with open(path) as file:
        text = file.read()
    try:
        text = replace_marked_section(text, name, content)
    except ValueError as error:
        raise ValueError(f'{path}: {error}') from None
    with open(path, 'w') as file:
        file.write(text)


def print_marked_section(content: str, path: str, name: str,
                         update: bool):
    """Prints ``content``; with ``update``, also writes it into the section
    ``name`` of ``path`` and says so (the tools' ``--table --update-docs``).
    """
    print(content)
    if update:
        update_marked_file(path, name, content)
        print(f'updated {path}')
