"""The ``symmetric`` command: ``run`` (development server), ``docs`` (export), ``worker``."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar, cast

import click

from apicore_app import configure_logging
from apicore_openapi import export
from symmetric.__about__ import __version__
from symmetric._app import Symmetric
from symmetric._errors import AppImportError
from symmetric._loader import load_app

T = TypeVar("T")

_DEFAULT_FILES = {"json": "openapi.json", "yaml": "openapi.yaml", "markdown": "documentation.md"}


def _load(target: str) -> Symmetric:
    try:
        return load_app(target)
    except AppImportError as exc:
        if exc.__cause__ is not None:
            traceback.print_exception(exc.__cause__, file=sys.stderr)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


@click.group(invoke_without_command=True)
@click.version_option(
    __version__, "-v", "--version", prog_name="symmetric", message="%(prog)s version %(version)s"
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Turn a Python module into an API: serve it, or export its docs."""
    if ctx.invoked_subcommand is None:
        click.echo("An argument is required for the symmetric command.", err=True)
        click.echo(ctx.get_help(), err=True)
        ctx.exit(1)


@cli.command()
@click.argument("module")
@click.option(
    "-s",
    "--server",
    "--host",
    "host",
    default="127.0.0.1",
    show_default=True,
    help="The interface to listen on.",
)
@click.option("-p", "--port", default=5000, show_default=True, type=int, help="The port.")
@click.option(
    "--debug/--no-debug",
    " /-d",
    default=False,
    show_default=True,
    help="Flask debug mode with the reloader (-d/--no-debug, legacy, is now the default).",
)
def run(module: str, host: str, port: int, debug: bool) -> None:
    """Serve MODULE (or MODULE:ATTRIBUTE) with Flask's development server.

    Development only: in production run `gunicorn MODULE:symmetric`. Without a configured
    token, protected endpoints accept legacy symmetric's public token `symmetric_token`
    here, with a warning.
    """
    configure_logging(default_level="INFO")
    app = _load(module)
    app.run(host=host, port=port, debug=debug, use_reloader=debug)


@cli.command()
@click.argument("module")
@click.option(
    "-f",
    "--filename",
    default="",
    help="The file to write ('-' for stdout) [default: openapi.json, openapi.yaml or "
    "documentation.md].",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["json", "yaml", "markdown"]),
    default=None,
    help="The output format [default: json].",
)
@click.option("-m", "--markdown", is_flag=True, help="Deprecated: the same as --format markdown.")
@click.option(
    "--openapi-version",
    type=click.Choice(["3.1", "3.0"]),
    default="3.1",
    show_default=True,
    help="OpenAPI 3.1.0 or 3.0.3.",
)
def docs(
    module: str, filename: str, format_: str | None, markdown: bool, openapi_version: str
) -> None:
    """Write the OpenAPI document (or a Markdown reference) of MODULE, without serving it."""
    if markdown:
        click.echo("symmetric docs: -m/--markdown is deprecated; use --format markdown.", err=True)
        if format_ not in (None, "markdown"):
            raise click.UsageError("-m/--markdown contradicts --format " + str(format_))
        format_ = "markdown"
    chosen = format_ or "json"
    app = _load(module)
    document = app.api.openapi("3.0.3" if openapi_version == "3.0" else "3.1.0")
    target = filename or _DEFAULT_FILES[chosen]
    if chosen == "markdown":
        text = app.generate_markdown_documentation(module.partition(":")[0])
        _write(target, text)
    else:
        _write(target, export(document, cast(Literal["json", "yaml"], chosen)))
    if target != "-":
        click.echo(f"Wrote {target}", err=True)


def _write(target: str, text: str) -> None:
    if target == "-":
        click.echo(text, nl=False)
        return
    with open(target, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("module")
@click.argument("celery_options", nargs=-1, type=click.UNPROCESSED)
def worker(module: str, celery_options: tuple[str, ...]) -> None:
    """Run a Celery worker for MODULE's callback endpoints.

    Needs `pip install "symmetric[celery]"` and APICORE_CALLBACKS_BROKER set; options after
    MODULE go to `celery worker` (--concurrency, --loglevel, ...).
    """
    configure_logging(default_level="INFO")
    app = _load(module)
    if not app.api.has_callbacks:
        click.echo(f"Error: {module} has no callback endpoints (router(..., callback=True)).")
        sys.exit(1)
    from apicore_callbacks.celery import worker_main

    _fail_clearly(lambda: worker_main(app.api.dispatcher, list(celery_options)))


def _fail_clearly(action: Callable[[], T]) -> T:
    try:
        return action()
    except (ValueError, ImportError) as exc:  # settings or missing extra: say it, no traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> Any:
    """The ``symmetric`` console script."""
    return cli.main(args=list(argv) if argv is not None else None, prog_name="symmetric")
