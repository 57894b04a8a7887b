"""Container image references: registry, repository, tag and digest."""

from __future__ import annotations

from typing import Any


def repository(image: str) -> str:
    """The image's last path segment without tag or digest: `docker.io/library/postgres:15`
    → `postgres`."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[0].lower()


def publisher(image: str) -> str | None:
    """The path segment before the repository, when there is one: `bitnami/redis:7` and
    `docker.io/bitnami/redis` → `bitnami`; `redis:alpine` → None."""
    parts = image.split("@", 1)[0].lower().split("/")
    return parts[-2] if len(parts) > 1 else None


def for_image(image: str, table: dict[str, Any]) -> Any:
    """`table`'s entry for an image: `publisher/repository` (the paths bitnami's images use)
    before the plain repository name; None when neither is listed."""
    name, owner = repository(image), publisher(image)
    if owner is not None and f"{owner}/{name}" in table:
        return table[f"{owner}/{name}"]
    return table.get(name)


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
