"""Pydantic models of what the API returns."""
