"""Recipes that convert published benchmark data into the repository format."""
