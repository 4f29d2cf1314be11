"""Carriers behind one interface; `registry.get_carrier(slug)` returns the one to call."""
