"""The shadow-theatre illustrator (offline, no model): vector silhouettes in four layers over a gradient sky.

theatre.py is the backend; it lays out the scenery (layout.py) in a palette (palettes.py) and draws it back to front:
sky.py, far.py, near.py, figures.py, with the primitives of canvas.py, the vector icons of icons.py (assets/) and the
weather of weather.py.
"""
