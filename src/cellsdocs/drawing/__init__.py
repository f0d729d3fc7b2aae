"""Drawing: the live architecture diagrams, from definition files to self-contained SVG on a page.

- :mod:`~cellsdocs.drawing.api`: what the definitions in ``diagrams/*.py`` draw with;
- :mod:`~cellsdocs.drawing.load`: finding, loading and calling those definitions (DOT out);
- :mod:`~cellsdocs.drawing.graphviz`: the one Graphviz runner (cache, time limit), also used by
  the decision graph;
- :mod:`~cellsdocs.drawing.svg`: Graphviz SVG made fit for inlining in a page;
- :mod:`~cellsdocs.drawing.place`: every diagram rendered for a site, its icons as assets, and
  the ``<figure>`` that places one on a page.
"""
