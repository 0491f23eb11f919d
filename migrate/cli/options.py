"""The options every command group shares, declared once: one spelling, one help text, one type.

- `output_option`: `-o/--output` everywhere; `--out`, the old spelling of some commands, still works
  but is not shown in help.
- `format_option`: `--format` whose human-readable choice is always called `table`; `text`, the old
  name in `plan explain|diff` and `inventory history`, is still accepted and means `table`.
- `stack_option`, `plan_file_option`, `settings_option`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import click

STACK_HELP = "Stack name (a file stacks/Pulumi.<name>.yaml of this project) or a path to a stack file."
HUMAN = "table"
# Old names of choices, accepted and read as the new name (never shown in help or error messages).
FORMAT_ALIASES = {"text": HUMAN}


class HiddenAliasOption(click.Option):
    """An option with spellings that work but are not advertised (kept for scripts written before)."""

    def __init__(self, *args: Any, hidden_aliases: Sequence[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.hidden_aliases = frozenset(hidden_aliases)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown, self.opts = self.opts, [o for o in self.opts if o not in self.hidden_aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return " / ".join(f"'{o}'" for o in self.opts if o not in self.hidden_aliases)


class FormatChoice(click.Choice):
    """click.Choice that also takes the old names in FORMAT_ALIASES (and returns the new one)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value not in self.choices and FORMAT_ALIASES.get(value) in self.choices:
            value = FORMAT_ALIASES[value]
        return super().convert(value, param, ctx)


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def output_option(help: str = "Write to this file instead of standard output (written whole or not at all).",
                  *, directory: bool = False, **kwargs: Any) -> Decorator:
    """`-o/--output PATH` (a file, or with `directory=True` a directory), passed as `output`."""
    kind = click.Path(file_okay=not directory, dir_okay=directory, path_type=Path)
    return click.option("--output", "-o", "--out", "output", cls=HiddenAliasOption, hidden_aliases=("--out",),
                        type=kind, help=help, **kwargs)


def format_option(*choices: str, default: str | None = None, help: str | None = None) -> Decorator:
    """`--format` over `choices` (the first is the default unless `default` says), passed as `fmt`."""
    return click.option("--format", "fmt", type=FormatChoice(list(choices)), default=default or choices[0],
                        show_default=True, help=help)


def stack_option(*, default: str | None = "prod", required: bool = False, help: str = "") -> Decorator:
    """`-s/--stack NAME|FILE`; `help` says what the stack is for, STACK_HELP what the value may be."""
    text = f"{help} {STACK_HELP}".strip()
    if default is None or required:
        return click.option("--stack", "-s", required=required, help=text)
    return click.option("--stack", "-s", default=default, show_default=True, help=text)


def plan_file_option(help: str = "A plan JSON file (default: the latest plan stored in the workspace).") -> Decorator:
    """`--plan FILE`, passed as `plan_file`."""
    return click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), help=help)


def settings_option(help: str) -> Decorator:
    """`--settings FILE` (plan settings YAML), passed as `settings_path`."""
    return click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path), help=help)


def allow_drift_option(what: str, used: str = "its servers are not the plan's", prefix: str = "") -> Decorator:
    """`--allow-drift`: write `what` though the workspace's inventory changed since the plan was computed
    (`migrate.landing.drift`); `used` says what of the inventory the output takes, `prefix` which format
    the flag belongs to."""
    return click.option("--allow-drift", is_flag=True,
                        help=f"{prefix}{'w' if prefix else 'W'}rite {what} even when the workspace's inventory changed since the plan "
                             f"was computed ({used}); both digests are still printed.")
