from mllint_docker.model.compose_roles import is_model_server
from mllint_docker.rules import rule
from mllint_docker.rules._compose import at


def _dockerfile_checks(df) -> bool:
    """The image the service builds has a HEALTHCHECK (not `NONE`) in its final stage chain."""
    if df is None or df.final_stage is None:
        return False
    for stage in df.final_stage.chain():
        checks = stage.of("HEALTHCHECK")
        if checks:
            return (checks[-1].args or ["NONE"])[0].upper() != "NONE"
    return False


@rule("MLD708", "model-server-no-healthcheck", "warning", scope="compose",
      summary="A model-serving service (vLLM, TGI, Triton, TorchServe, an ML API under uvicorn...) has no healthcheck")
def check(cf, project):
    for service in cf.services.values():
        df = project.dockerfile_at(service.build.dockerfile) if service.build is not None else None
        if service.has_healthcheck or not is_model_server(service, df) or _dockerfile_checks(df):
            continue
        disabled = service.healthcheck is not None
        yield at(service.healthcheck if disabled else service.node,
                 f"model server `{service.name}` has {'its healthcheck disabled' if disabled else 'no healthcheck'}: "
                 "loading weights takes minutes, and until then `depends_on: condition: service_healthy`, "
                 "restarts and load balancers cannot tell a loading or hung server from a ready one",
                 fix="add `healthcheck:` with a `test` that calls the server's readiness endpoint (e.g. "
                     "`curl -fsS http://localhost:8000/health`) and a `start_period` longer than the model load")
