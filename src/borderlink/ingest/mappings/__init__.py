"""The built-in column mappings, as data: one ``<name>.yaml`` each, registered in pyproject."""
