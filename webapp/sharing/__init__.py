"""Share links for stakeholders and the pages they open."""
