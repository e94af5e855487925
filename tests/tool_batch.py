"""Runs many short tool command lines for the price of one interpreter start
(a tool's start is about 3 s of imports: torch, mmengine, the libraries).

    python tests/tool_batch.py COMMANDS.json

COMMANDS.json holds a list of command lines. A ``python TOOL ARGS...``
command runs in a forked child of this process, which has imported the
libraries once: the child gets the command's ``sys.argv``, runs TOOL as
``__main__`` and writes to its own stdout and stderr files, so the exit
status and output are the tool's own. Any other command (a shell script)
runs as a subprocess. Prints one JSON list: ``returncode``, ``stdout`` and
``stderr`` of each command, in order.
"""
import json
import os
import runpy
import subprocess
import sys
import tempfile
import traceback


def preload():
    """What the tools import anyway, imported before any child forks."""
    import mmdet.models  # noqa: F401
    import mmpose.models  # noqa: F401
    import mmpretrain.models  # noqa: F401
    import mmseg.models  # noqa: F401

    import mmmoga.apis  # noqa: F401


def run_in_child(command, folder):
    """Forks; the child runs ``command`` (``python TOOL ARGS...``) as the
    interpreter would and exits with its status."""
    out_path = os.path.join(folder, 'out')
    err_path = os.path.join(folder, 'err')
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            with open(out_path, 'w') as out, open(err_path, 'w') as err:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
            sys.argv = list(command[1:])
            sys.path[0] = os.path.dirname(os.path.abspath(command[1]))
            try:
                runpy.run_path(command[1], run_name='__main__')
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (
                    0 if exit_.code is None else 1)
                if not isinstance(exit_.code, (int, type(None))):
                    print(exit_.code, file=sys.stderr)
        except BaseException:  # as the interpreter reports it
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(out_path) as out, open(err_path) as err:
        return dict(returncode=os.waitstatus_to_exitcode(status),
                    stdout=out.read(), stderr=err.read())


def main():
    with open(sys.argv[1]) as file:
        commands = json.load(file)
    preload()
    results = []
    for command in commands:
        if os.path.basename(command[0]).startswith('python'):
            with tempfile.TemporaryDirectory() as folder:
                results.append(run_in_child(command, folder))
        else:
            run = subprocess.run(command, capture_output=True, text=True)
            results.append(dict(returncode=run.returncode,
                                stdout=run.stdout, stderr=run.stderr))
    print(json.dumps(results))


if __name__ == '__main__':
    main()
