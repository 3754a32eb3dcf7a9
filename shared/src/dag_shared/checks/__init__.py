"""Reusable asset-check factories shared by the locations (guidelines §8 and §17)."""
