"""Runs the tests' tool command lines without an interpreter start each (a
tool's start is 3-6 s of imports: torch, mmengine, the libraries).

    python tests/tool_server.py

reads one JSON request per line from stdin, ``{"command": [...], "env":
{...}}``, and answers each with one JSON line on stdout: the command's
``returncode``, ``stdout`` and ``stderr``. A ``python TOOL ARGS...`` command
runs in a forked child of this process, which has imported the libraries
once: the child gets the request's environment and the command's
``sys.argv``, runs TOOL as ``__main__`` in a process group of its own (as a
tool started by a shell has: a tool that kills its group, tests/kill_hook.py,
takes its data workers with it and leaves the server running), reads no
stdin, and writes to its own stdout and stderr files, so the exit status and
output are the tool's own. Any other command runs as a subprocess.
``helpers.run_tool`` starts one server per test session and sends it the
tool runs.
"""
import json
import os
import runpy
import subprocess
import sys
import tempfile
import traceback


def preload():
    """What the tools import anyway, imported before any child forks (a
    library that does not import on this stack, as MMPose on the OneDL
    one, is left to the tools, which say so)."""
    import importlib
    for library in ('mmdet', 'mmpose', 'mmpretrain', 'mmseg'):
        try:
            importlib.import_module(f'{library}.models')
        except (ImportError, AssertionError):
            pass

    import mmmoga.apis  # noqa: F401


def _enter_environment(env):
    """The child's environment becomes ``env``; PYTHONPATH entries that
    the server did not start with go to the front of ``sys.path``, as an
    interpreter started with them would have them."""
    os.environ.clear()
    os.environ.update(env)
    for entry in reversed(env.get('PYTHONPATH', '').split(os.pathsep)):
        if entry and entry not in sys.path:
            sys.path.insert(1, entry)


def run_in_child(command, env, folder):
    """Forks; the child runs ``command`` (``python TOOL ARGS...``) as the
    interpreter would and exits with its status."""
    out_path = os.path.join(folder, 'out')
    err_path = os.path.join(folder, 'err')
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        os.setpgid(0, 0)
        try:
            with open(out_path, 'w') as out, open(err_path, 'w') as err, \
                    open(os.devnull) as devnull:
                os.dup2(devnull.fileno(), 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
            sys.argv = list(command[1:])
            # The tool's folder replaces this script's, as the interpreter
            # puts a script's folder first.
            sys.path[0] = os.path.dirname(os.path.abspath(command[1]))
            _enter_environment(env)
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


def is_python_tool(command) -> bool:
    return (len(command) > 1
            and os.path.basename(command[0]).startswith('python')
            and command[1].endswith('.py'))


def serve():
    preload()
    for line in sys.stdin:
        request = json.loads(line)
        command, env = request['command'], request['env']
        if is_python_tool(command):
            with tempfile.TemporaryDirectory() as folder:
                result = run_in_child(command, env, folder)
        else:
            run = subprocess.run(command, capture_output=True, text=True,
                                 env=env, stdin=subprocess.DEVNULL)
            result = dict(returncode=run.returncode, stdout=run.stdout,
                          stderr=run.stderr)
        print(json.dumps(result), flush=True)


if __name__ == '__main__':
    serve()
