"""The live state of a run in one process: stub services, the built-in server, the targets.

Nothing starts before the run context is resolved and valid. With xdist every worker has its
own stubs and (for the built-in target) its own reference server, so that the server posts its
notifications to the receiver of the worker that tests them.
"""

from __future__ import annotations

from klanten_conformance import apis
from klanten_conformance.harness.context import ApiTarget, RunContext
from klanten_conformance.harness.targets import BuiltinServer, TargetError, preflight
from klanten_conformance.stubs import (
    MedewerkerRegistry,
    NotificationReceiver,
    ObjectApi,
    SubjectRegistry,
)


class Harness:
    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.server: BuiltinServer | None = None
        self.registry: SubjectRegistry | None = None
        self.receiver: NotificationReceiver | None = None
        self.medewerker_registry: MedewerkerRegistry | None = None
        self.object_api: ObjectApi | None = None
        self._targets: dict[str, ApiTarget] | None = None
        self._sources: dict[str, ApiTarget] = {}

    @property
    def secrets(self) -> tuple[str, ...]:
        found = list(self.context.secrets)
        if self.server is not None:
            found += self.server.secrets
        return tuple(found)

    def stubs(self) -> tuple[SubjectRegistry, NotificationReceiver]:
        if self.registry is None or self.receiver is None:
            bind, host = self._bind()
            self.registry = SubjectRegistry(bind, advertise_host=host).start()
            self.receiver = NotificationReceiver(bind, advertise_host=host).start()
        return self.registry, self.receiver

    def _bind(self) -> tuple[str, str | None]:
        host = self.context.callback_host
        return ("0.0.0.0" if host else "127.0.0.1"), (host or None)

    def medewerkers(self) -> MedewerkerRegistry:
        """The stub medewerker registry (started on first use)."""
        if self.medewerker_registry is None:
            bind, host = self._bind()
            self.medewerker_registry = MedewerkerRegistry(bind, advertise_host=host).start()
        return self.medewerker_registry

    def objects(self) -> ObjectApi:
        """The stub object API, a Zaken API fragment (started on first use)."""
        if self.object_api is None:
            bind, host = self._bind()
            self.object_api = ObjectApi(bind, advertise_host=host).start()
        return self.object_api

    @property
    def notifications(self) -> bool:
        """The target posts its notifications to this process's receiver."""
        return self.context.builtin or self.context.notifications

    def targets(self) -> dict[str, ApiTarget]:
        """The targets of the run, starting stubs and (without URLs) the built-in server."""
        if self._targets is None:
            _, receiver = self.stubs()
            if self.context.builtin:
                self.server = BuiltinServer(self.context, receiver.url)
                targets = self.server.start()
                self.check(targets)
                self._sources = {a: t for a, t in targets.items() if a not in self.context.apis}
                targets = {a: t for a, t in targets.items() if a in self.context.apis}
            else:
                targets = dict(self.context.targets)
                self._sources = dict(self.context.sources)
            self._targets = targets
        return self._targets

    def source(self, api_id: str) -> ApiTarget:
        """The run's migration source ``api_id`` (read only; class ki-migratie)."""
        self.targets()
        if api_id not in self._sources:
            raise TargetError(f"no {api_id} API was given as the migration source of this run")
        return self._sources[api_id]

    def target(self, api_id: str) -> ApiTarget:
        targets = self.targets()
        if api_id not in targets:
            raise TargetError(f"the {api_id} API is not part of this run")
        return targets[api_id]

    @staticmethod
    def check(targets: dict[str, ApiTarget]) -> None:
        """The preflight of every target (raises TargetError with the first problem)."""
        for api_id, target in targets.items():
            preflight(apis.get(api_id), target)

    def close(self) -> None:
        for service in (
            self.server,
            self.registry,
            self.receiver,
            self.medewerker_registry,
            self.object_api,
        ):
            if service is not None:
                service.stop()
        self.server = self.registry = self.receiver = None
        self.medewerker_registry = self.object_api = None
        self._targets = None
        self._sources = {}
