"""Follow-up of a review over time: plan exports and the comparison report.

Plain data in, text or bytes out: nothing here queries the database or reads the request.
"""
