"""The results page and the report of an assessment."""
