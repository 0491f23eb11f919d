"""Reading a ``Pulumi.<stack>.yaml`` file the way Pulumi does, and refusing what must not be in one.

- Unquoted dates stay text, as the Pulumi CLI (Go YAML into plain values) hands them to the
  program: ``startDate: 2027-02-30`` is then judged by the key's own rule ("is not a real
  date") instead of crashing the YAML reader.
- Aliases are refused past a handful: a stack file has no use for them, and a few nested
  ones expand to gigabytes once the config is serialised for the program.
- A value under a secret-looking key (``clientSecret``, ``adminPassword``, ``sasToken``, ...)
  must be encrypted (``{secure: ...}``, written by ``pulumi config set --secret``): a
  plaintext secret in a file that is committed to git is a leak, so it is a config error.

Imports neither pulumi nor azure-native.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

import yaml
from yaml.events import AliasEvent

from infra.config_errors import ConfigIssue

MAX_ALIASES = 50
# Key names whose values are credentials: matched at the end of the key, case-insensitively,
# so `clientSecret` and `sasToken` match while `tokensPerMinute` and `secretName` do not.
SECRET_KEY = re.compile(
    r"(password|passwd|passphrase|pwd|secret|token|apikey|api_key|accesskey|access_key|accountkey|sharedkey|"
    r"privatekey|private_key|connectionstring|connection_string|credential|credentials)$", re.IGNORECASE)


class StackLoader(yaml.SafeLoader):
    """PyYAML's safe loader with dates kept as text and aliases counted."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"uses more than {MAX_ALIASES} aliases (*name); write the values out",
                    event.start_mark)
        return super().compose_node(parent, index)


StackLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def load_stack_yaml(text: str) -> Any:
    """The parsed stack file; raises yaml.YAMLError with a mark for malformed text."""
    loader = StackLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def plaintext_secrets(config: Mapping[Any, Any]) -> list[ConfigIssue]:
    """Every secret-looking key of a stack file's ``config:`` block holding a plaintext value.

    The value itself is never quoted in the message.
    """
    issues = []
    for full_key, value in config.items():
        name = str(full_key).partition(":")[2] or str(full_key)
        for key, leaf_name, leaf in _leaves(str(full_key), name, value):
            if SECRET_KEY.search(leaf_name) and isinstance(leaf, str) and leaf:
                issues.append(ConfigIssue(key, "holds a plaintext secret; store it encrypted with "
                                               "`pulumi config set --secret` (the file then holds {secure: ...}) "
                                               "and rotate the exposed value"))
    return issues


def _leaves(key: str, name: str, value: Any) -> Iterator[tuple[str, str, Any]]:
    """(dotted key, the innermost key name, value) for every value that is not a mapping or list."""
    if isinstance(value, Mapping):
        if set(map(str, value)) == {"secure"}:
            return  # encrypted by Pulumi
        for child, item in value.items():
            yield from _leaves(f"{key}.{child}", str(child), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(f"{key}[{index}]", name, item)
    else:
        yield key, name, value
