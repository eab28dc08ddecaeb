"""egovcrawl: crawl e-government news sites into a faithful SQLite archive."""

__version__ = "0.1.0"
