"""Follow-up of a review over time: plan exports and the comparison report.

Plain data in, text or bytes out: nothing here touches the database or the request.
"""
