"""The estate inventory: model, importers for hospital exports, and the SQLite workspace store."""
