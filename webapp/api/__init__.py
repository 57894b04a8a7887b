"""The versioned JSON API under `/api/v1`, its personal access tokens and its OpenAPI
document (built from the same pydantic models that validate the requests)."""
