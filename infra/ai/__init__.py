"""Responsible AI as code: the use-case register, model lifecycle, content-safety tiers and CHAI cards.

Pure Python (no pulumi): the stack config, the Pulumi components, the compliance controls and the
CLI all read the register through this package.
"""
