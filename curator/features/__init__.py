"""The feature layer: one class per capability, each built once by ``curator.core.make_curator``."""
