"""Figures for the notebooks (matplotlib only; no widgets).

``style`` holds the colour-blind-safe palette and projector-sized fonts;
each other module draws the figures of one lecture concept and returns the
artists it made so that live panels can update them in place.
"""
