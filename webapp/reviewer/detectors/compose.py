"""docker-compose (and Swarm stack) detectors.

Services are classified by what they do before they are checked, because what matters differs:
a long-running service needs a healthcheck and a restart policy; a one-shot job (a migration, a
downloader, an init container that others wait for with `service_completed_successfully`) must
not be restarted after it succeeds. A service behind `profiles:` is checked as what it is, not
skipped: profiles often gate production parts of a stack.

Values shared through YAML anchors (`<<: *defaults`, `healthcheck: *hc`) are reported once, at
the anchor, naming every service that inherits them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from webapp.reviewer.detectors import Context, detector, images, listed, once_per_place
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import Pos, YMap

_NO_RESTART = ("no", "false")
_LOOPING_RESTART = ("always", "unless-stopped")
_PERIODIC = re.compile(
    r"\bcron[dtab]*\b|supercronic|--repeat\b|(^|[\s\"'])([\d*/,-]+\s+){4}[\d*/,-]+\s")
# A command that runs to completion: a migration, a download, a seed.
_ONE_SHOT_COMMAND = re.compile(
    r"\b(migrat\w*|upgrade head|db:(migrate|setup|seed|prepare)|seed\w*|download\w*|"
    r"collectstatic|createsuperuser|bootstrap|init-?db|wait-for\w*)\b", re.IGNORECASE)
_VARIABLE = re.compile(r"\$\{(\w+)(:?-)([^}]*)\}|\$\{\w+[^}]*\}|\$\w+")


@dataclass(frozen=True)
class Service:
    name: str
    spec: YMap
    parent: YMap  #: the `services` mapping
    role: str  #: long-running | periodic | one-shot | init

    @property
    def key_pos(self) -> Pos:
        return self.parent.at(self.name)

    @property
    def profiles(self) -> list[str]:
        return [str(p) for p in listed(self.spec.get("profiles"))]

    def described(self) -> str:
        gated = f" (profile {', '.join(f'`{p}`' for p in self.profiles)})" if self.profiles else ""
        return f"`{self.name}`{gated}"


def _services_map(source: Source) -> YMap | None:
    doc = source.docs[0] if source.docs else None
    found = doc.get("services") if isinstance(doc, YMap) else None
    return found if isinstance(found, YMap) else None


def services(source: Source) -> Iterator[Service]:
    """Every service of the file with its role."""
    found = _services_map(source)
    if found is None:
        return
    inits = _init_services(found)
    for name, spec in found.items():
        if isinstance(spec, YMap):
            yield Service(name, spec, found, _role(name, spec, inits))


def _init_services(found: YMap) -> set[str]:
    """Services another one waits for with `condition: service_completed_successfully`."""
    inits = set()
    for spec in found.values():
        depends = spec.get("depends_on") if isinstance(spec, dict) else None
        for other, how in (depends.items() if isinstance(depends, dict) else ()):
            if isinstance(how, dict) and how.get("condition") == "service_completed_successfully":
                inits.add(other)
    return inits


def _role(name: str, spec: YMap, inits: set[str]) -> str:
    if name in inits:
        return "init"
    command = " ".join(_command_text(spec.get(k)) for k in ("command", "entrypoint"))
    if _PERIODIC.search(command):
        return "periodic"  # a cron-style loop: nothing waits on it, it only needs restarting
    serves = "ports" in spec or "expose" in spec
    if not serves and _ONE_SHOT_COMMAND.search(command) and "restart" not in spec:
        return "one-shot"
    deploy = spec.get("deploy")
    policy = deploy.get("restart_policy") if isinstance(deploy, dict) else None
    if str(spec.get("restart", "")).lower() in _NO_RESTART or (
        isinstance(policy, dict) and policy.get("condition") == "none"
    ):
        return "one-shot"
    return "long-running"


def _command_text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return value if isinstance(value, str) else ""


@detector
def compose_no_healthcheck(source: Source, ctx: Context):
    def found() -> Iterator[tuple[Hit, str]]:
        for service in services(source):
            check = service.spec.get("healthcheck")
            disabled = isinstance(check, dict) and check.get("disable") is True
            if service.role != "long-running" or (check is not None and not disabled):
                continue
            where = service.spec.value_at("healthcheck") if disabled else service.key_pos
            yield Hit(where, f"long-running service {service.described()} has no healthcheck: "
                      "dependants start against it before it is ready, and a hung process "
                      "looks healthy", f"services.{service.name}"), service.name
    yield from once_per_place(found())


@detector
def compose_depends_on_no_condition(source: Source, ctx: Context):
    def found() -> Iterator[tuple[Hit, str]]:
        for service in services(source):
            yield from ((hit, service.name) for hit in _unconditioned(service))
    yield from once_per_place(found())


def _unconditioned(service: Service) -> Iterator[Hit]:
    name, depends = service.name, service.spec.get("depends_on")
    if isinstance(depends, list) and depends:
        verb = "is" if len(depends) == 1 else "are"
        where = service.spec.at("depends_on")
        if _shared(service, "depends_on") and where.line > service.key_pos.line:
            where = depends.pos  # `depends_on: *deps`: the anchor is the place to fix
        yield Hit(where, f"`{name}` depends on {_names(depends)} by start order only: it "
                  f"starts before {_names(depends)} {verb} ready", f"services.{name}.depends_on")
    elif isinstance(depends, YMap):
        for other, spec in depends.items():
            if not (isinstance(spec, dict) and spec.get("condition")):
                yield Hit(depends.at(other), f"`{name}` depends on `{other}` with no condition: "
                          f"it starts before `{other}` is ready",
                          f"services.{name}.depends_on.{other}")


def _shared(service: Service, key: str) -> bool:
    """Whether the value under `key` is the same object in another service (an alias)."""
    value = service.spec.get(key)
    return any(other is not service.spec and isinstance(other, dict) and other.get(key) is value
               for other in service.parent.values())


def _names(items: list[Any]) -> str:
    return ", ".join(f"`{item}`" for item in items)


@detector
def compose_no_restart_policy(source: Source, ctx: Context):
    if _swarm_stack(source):
        return  # Swarm restarts failed tasks by default
    for service in services(source):
        deploy = service.spec.get("deploy")
        has_policy = isinstance(deploy, dict) and "restart_policy" in deploy
        if "restart" in service.spec or has_policy or service.role not in ("long-running",
                                                                             "periodic"):
            continue
        yield Hit(service.key_pos, f"long-running service {service.described()} has no restart "
                  "policy: after a crash or a host reboot it stays down",
                  f"services.{service.name}")


@detector
def compose_one_shot_restarts(source: Source, ctx: Context):
    """A migration or downloader with `restart: always` runs again each time it succeeds."""
    for service in services(source):
        restart = str(service.spec.get("restart", "")).lower()
        if service.role == "init" and restart in _LOOPING_RESTART:
            yield Hit(service.spec.value_at("restart"), f"`{service.name}` is an init job (others "
                      f"wait for it to complete) but has `restart: {restart}`: it starts again "
                      "every time it finishes, and its dependants may never start",
                      f"services.{service.name}.restart")


def _swarm_stack(source: Source) -> bool:
    if "stack" in source.path.name.lower():
        return True
    return any(
        isinstance(s.spec.get("deploy"), dict)
        and ("replicas" in s.spec["deploy"] or "mode" in s.spec["deploy"])
        for s in services(source)
    )


def resolve_image(image: str) -> tuple[str | None, bool]:
    """The image reference with `${VAR:-default}` resolved to its default, and whether a
    variable was resolved; None when a variable without a default decides the name."""
    resolved = False

    def default(match: re.Match[str]) -> str:
        nonlocal resolved
        if match.group(2) is None:
            raise LookupError
        resolved = True
        return match.group(3)

    try:
        return _VARIABLE.sub(default, image), resolved
    except LookupError:
        return None, False


@detector
def compose_image_unpinned(source: Source, ctx: Context):
    def found() -> Iterator[tuple[Hit, str]]:
        for service in services(source):
            image = service.spec.get("image")
            if not isinstance(image, str) or "build" in service.spec:
                continue  # built here: the tag names the local build, not a pull
            resolved, by_default = resolve_image(image)
            reason = images.unpinned_reason(resolved) if resolved else None
            if reason:
                shown = f"`{image}` (by default `{resolved}`)" if by_default else f"`{image}`"
                yield Hit(service.spec.value_at("image"), f"image {shown} {reason}: each pull "
                          "may run different code", f"services.{service.name}.image"), service.name
    yield from once_per_place(found())


@detector
def compose_data_without_volume(source: Source, ctx: Context, data_paths: dict[str, list[str]]):
    for service in services(source):
        image = service.spec.get("image")
        resolved = resolve_image(image)[0] if isinstance(image, str) else None
        paths = images.for_image(resolved, data_paths) if resolved else None
        if not paths:
            continue
        if not any(_covers(target, paths) for target in _volume_targets(service.spec)):
            yield Hit(service.key_pos, f"data service `{service.name}` ({image}) keeps its data "
                      f"inside the container ({', '.join(paths)}): recreating it loses everything",
                      f"services.{service.name}.volumes")


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
