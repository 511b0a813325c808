"""The ``simulacra`` command group: one-line errors, exit statuses and signals.

Every failure is one line on stderr starting with ``error:`` and a non-zero exit status:
1 for a user error (a :class:`simulacra.errors.SimulacraError`, an unreadable or unwritable
file), click's 2 for a usage error, 130 after Ctrl-C and 128 + the signal number after SIGTERM
(143) or SIGHUP (129). Ctrl-C, SIGTERM and SIGHUP unwind the command like an exception, so the
writers remove their temporary files and nothing half-written is left.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import warnings

import click

from ..errors import SimulacraError


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM or SIGHUP."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_terminating = False


def _raise_terminated(signum, frame):
    global _terminating
    if _terminating:  # a second signal while the first unwinds: let the clean-up finish
        return
    _terminating = True
    raise Terminated(signum)


@contextlib.contextmanager
def signals_as_exceptions():
    """While running a command, SIGTERM and SIGHUP raise :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    global _terminating
    _terminating = False
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, _raise_terminated)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def one_line(text) -> str:
    return " ".join(str(text).split())


def _fail(message: str, code: int) -> int:
    click.echo(f"error: {one_line(message)}", err=True)
    return code


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"warning: {one_line(message)}", err=True)


def _os_error(e: OSError) -> str:
    what = e.strerror or str(e) or type(e).__name__
    return f"{what} ({e.filename})" if getattr(e, "filename", None) else what


class _Interrupted(BaseException):
    """Ctrl-C, passed around click (which would print a blank line and 'Aborted!')."""


class Group(click.Group):
    """A click group whose every way out (usage error, user error, signal) is one stderr line."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        code = 0
        prog_name = prog_name or "simulacra"
        with signals_as_exceptions(), warnings.catch_warnings():
            warnings.showwarning = _show_warning  # Python warnings: one 'warning:' line each, no source line
            try:
                rv = super().main(
                    args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
                )
                code = rv if isinstance(rv, int) else 0
            except click.exceptions.Abort:
                code = _fail("aborted", 1)
            except click.exceptions.NoArgsIsHelpError as e:  # plain 'simulacra': the help, as asked
                click.echo(e.ctx.get_help() if e.ctx is not None else e.format_message())
                code = 0
            except click.ClickException as e:
                ctx = getattr(e, "ctx", None)
                name = ctx.command_path if ctx is not None else "simulacra"
                code = _fail(f"{e.format_message()} (see '{name} --help')", e.exit_code)
            except SimulacraError as e:
                code = _fail(str(e), 1)
            except (KeyboardInterrupt, _Interrupted):
                code = _fail("interrupted; no partial output was left", 130)
            except Terminated as e:
                code = _fail(
                    f"terminated by {signal.Signals(e.signum).name}; no partial output was left", 128 + e.signum
                )
            except MemoryError:
                code = _fail("out of memory; ask for fewer rows or a smaller --batch-size / --chunk-size", 1)
            except OSError as e:  # disk full, permission denied while writing, broken pipe
                code = _fail(_os_error(e), 1)
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simulacra", prog_name="simulacra")
def cli():
    """simulacra: learn real tables and sample synthetic ones; fake data; augmentation."""


def main(args=None):
    """Console entry point (``simulacra`` and ``python -m simulacra``)."""
    code = cli.main(args=args, prog_name="simulacra", standalone_mode=False)
    if code:
        sys.exit(code)
    return 0
