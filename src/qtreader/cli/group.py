"""The ``qtreader`` group: its global options, and the reader as what runs without a
command.

The commands are defined in :mod:`qtreader.cli.library`, :mod:`qtreader.cli.lookup` and
:mod:`qtreader.cli.study`, each imported only when one of its commands runs (or help lists
them): building a click command with its options costs about 0.1 ms, and a lookup does not
pay for the study layer.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

import click

from qtreader.cli.common import LIBRARY_HELP, NEGATIVE_ID, PATH, UsageError

__all__ = ["main"]

#: The group's options that take a value: the value is no command name.
_GROUP_VALUES = ("--library",)


class ReaderGroup(click.Group):
    """A group whose bare form (``qtreader`` or ``qtreader ARTICLE``) runs ``read``, and
    whose usage errors are told as ``qtreader: ...`` lines.

    The commands of :data:`LAZY` are imported only when one of them runs.
    """

    #: Command name: (module, function).
    LAZY = {
        "read": ("qtreader.cli.library", "read"),
        "check": ("qtreader.cli.library", "check"),
        "index": ("qtreader.cli.library", "index"),
        "show": ("qtreader.cli.lookup", "show"),
        "search": ("qtreader.cli.lookup", "search"),
        "subjects": ("qtreader.cli.lookup", "subjects"),
        "random": ("qtreader.cli.lookup", "random_article"),
        "history": ("qtreader.cli.study", "history"),
        "notes": ("qtreader.cli.study", "notes"),
        "study": ("qtreader.cli.study", "study"),
        "stats": ("qtreader.cli.study", "stats"),
        "export": ("qtreader.cli.export", "export"),
        "sync": ("qtreader.cli.study", "sync"),
        "serve": ("qtreader.cli.serve", "serve"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, name = self.LAZY[cmd_name]
            command: click.Command = getattr(import_module(module), name)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``read`` goes in after the global options when no command is named."""
        start = 0  # where the global options end
        while start + 1 < len(args) and args[start] in _GROUP_VALUES:
            start += 2
        while start < len(args) and args[start].startswith(tuple(f"{o}=" for o in _GROUP_VALUES)):
            start += 1
        rest = args[start:]
        first = next(
            (arg for arg in rest if not arg.startswith("-") or NEGATIVE_ID.fullmatch(arg)), None
        )
        completing = ctx.resilient_parsing  # shell completion wants the command names
        if (
            not completing
            and not any(arg in ("--help", "-h", "--version") for arg in rest[:1])
            and (first is None or (first not in self.commands and first not in self.LAZY))
        ):
            args = [*args[:start], "read", *rest]
        return super().parse_args(ctx, args)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise _told(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:  # a command's own arguments, or its checks
            raise _told(error) from None


def _told(error: click.UsageError) -> click.UsageError:
    """``error`` as a ``qtreader: ...`` line; help asked for by no arguments stays help."""
    if isinstance(error, (UsageError, click.exceptions.NoArgsIsHelpError)):
        return error
    return UsageError(error.format_message(), error.ctx)


@click.group(cls=ReaderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--library", "library_path", type=PATH, default=None, help=LIBRARY_HELP)
@click.version_option(package_name="qtreader", prog_name="qtreader")
def main(library_path: Path | None) -> None:
    """A terminal reader for libraries of QuickTakes study articles.

    Run with no command to browse the library; ARTICLE (an id, slug or url) opens that
    article directly. --library, before the command, is the library of every command.

    \b
    Examples:
      qtreader
      qtreader --library ~/quicktakes 118067
      qtreader --library ~/quicktakes search entropy
      qtreader check ~/quicktakes
      qtreader study --subject Physics
    """
