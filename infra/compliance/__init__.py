"""The compliance catalog and the engine that evaluates it over ARM-shaped documents.

Everything here reads ARM documents (``type``, ``name``, ``id``, ``location``, ``tags``, ``sku``,
``kind``, ``identity``, ``properties``) and never imports pulumi: the same rules audit the
offline render, an ARM template, an `az` export and a live subscription.
"""
