"""Drawing: the live architecture diagrams, from definition files to self-contained SVG."""
