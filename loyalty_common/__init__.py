"""What the site and the core share and neither owns: kept free of both, imported one way."""
