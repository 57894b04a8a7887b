"""Container image references: registry, repository, tag and digest."""

from __future__ import annotations


def repository(image: str) -> str:
    """The image's last path segment without tag or digest: `docker.io/library/postgres:15`
    → `postgres`."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[0].lower()


def unpinned_reason(image: str) -> str | None:
    """Why the reference floats (no tag, `latest`), or None when it names a version or when a
    variable decides it (resolve `${VAR:-default}` first)."""
    if "$" in image or "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag, so it means `latest`"
    if last.rsplit(":", 1)[1] == "latest":
        return "uses the `latest` tag"
    return None


def is_data_image(image: str, data_images: list[str]) -> bool:
    """Exact names only: `mongo-express` or `postgres-exporter` are not databases."""
    return repository(image) in data_images
