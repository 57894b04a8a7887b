"""docker-compose (and Swarm stack) detectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from webapp.reviewer.detectors import Context, detector, images, listed
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import YMap


def services(source: Source) -> Iterator[tuple[str, YMap, YMap]]:
    """(name, service, the `services` mapping) for every service of the file."""
    doc = source.docs[0] if source.docs else None
    found = doc.get("services") if isinstance(doc, YMap) else None
    if isinstance(found, YMap):
        for name, service in found.items():
            if isinstance(service, YMap):
                yield name, service, found


def _one_shot(service: YMap) -> bool:
    return str(service.get("restart", "")).lower() in ("no", "false") or "profiles" in service


@detector
def compose_no_healthcheck(source: Source, ctx: Context):
    for name, service, parent in services(source):
        check = service.get("healthcheck")
        disabled = isinstance(check, dict) and check.get("disable") is True
        if _one_shot(service) or (check is not None and not disabled):
            continue
        where = service.at("healthcheck") if disabled else parent.at(name)
        yield Hit(where, f"service `{name}` has no healthcheck: dependants start against it "
                  "before it is ready, and a hung process looks healthy", f"services.{name}")


@detector
def compose_depends_on_no_condition(source: Source, ctx: Context):
    for name, service, _ in services(source):
        depends = service.get("depends_on")
        if isinstance(depends, list) and depends:
            verb = "is" if len(depends) == 1 else "are"
            yield Hit(service.at("depends_on"), f"`{name}` depends on {_names(depends)} by start "
                      f"order only: it starts before {_names(depends)} {verb} ready",
                      f"services.{name}.depends_on")
        elif isinstance(depends, YMap):
            for other, spec in depends.items():
                if not (isinstance(spec, dict) and spec.get("condition")):
                    yield Hit(depends.at(other), f"`{name}` depends on `{other}` with no "
                              f"condition: it starts before `{other}` is ready",
                              f"services.{name}.depends_on.{other}")


def _names(items: list[Any]) -> str:
    return ", ".join(f"`{item}`" for item in items)


@detector
def compose_no_restart_policy(source: Source, ctx: Context):
    if _swarm_stack(source):
        return  # Swarm restarts failed tasks by default
    for name, service, parent in services(source):
        deploy = service.get("deploy")
        has_policy = isinstance(deploy, dict) and "restart_policy" in deploy
        if "restart" in service or has_policy or _one_shot(service):
            continue
        yield Hit(parent.at(name), f"service `{name}` has no restart policy: after a crash or "
                  "a host reboot it stays down", f"services.{name}")


def _swarm_stack(source: Source) -> bool:
    if "stack" in source.path.name.lower():
        return True
    return any(
        isinstance(service.get("deploy"), dict)
        and ("replicas" in service["deploy"] or "mode" in service["deploy"])
        for _, service, _ in services(source)
    )


@detector
def compose_image_unpinned(source: Source, ctx: Context):
    for name, service, _ in services(source):
        image = service.get("image")
        reason = images.unpinned_reason(image) if isinstance(image, str) else None
        if reason:
            yield Hit(service.value_at("image"), f"image `{image}` {reason}: each pull may run "
                      "different code", f"services.{name}.image")


@detector
def compose_data_without_volume(source: Source, ctx: Context, data_paths: dict[str, list[str]]):
    for name, service, parent in services(source):
        image = service.get("image")
        if not isinstance(image, str) or not images.is_data_image(image, list(data_paths)):
            continue
        paths = data_paths[images.repository(image)]
        if not any(_covers(target, paths) for target in _volume_targets(service)):
            yield Hit(parent.at(name), f"data service `{name}` ({image}) keeps its data inside "
                      f"the container ({', '.join(paths)}): recreating it loses everything",
                      f"services.{name}.volumes")


def _volume_targets(service: YMap) -> Iterator[str]:
    for volume in listed(service.get("volumes")):
        if isinstance(volume, str):
            parts = volume.split(":")
            yield parts[1] if len(parts) > 1 else parts[0]
        elif isinstance(volume, dict) and isinstance(volume.get("target"), str):
            yield volume["target"]


def _covers(target: str, paths: list[str]) -> bool:
    target = target.rstrip("/") or "/"
    return any(path == target or path.startswith(target + "/") for path in paths)
