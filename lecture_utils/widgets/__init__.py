"""Live slider panels: each composes the math of one lecture concept with its figure.

``core`` holds the shared machinery (a figure re-drawn off-screen and sent
as a PNG, and the ``Panel`` base); each other module is one notebook's panel.
"""
