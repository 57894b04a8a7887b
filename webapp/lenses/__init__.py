"""AWS custom lenses: imported, answered, reported like any questionnaire."""
