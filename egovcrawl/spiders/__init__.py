"""Spiders. One generic, profile-driven spider lives here (see the crawl issue)."""
