import re

from mllint_docker.model.artefacts import is_secret_file
from mllint_docker.rules import Issue, also, rule
from mllint_docker.rules._compose import at

# BuildKit's SecretsUsedInArgOrEnv matches these words in a name's tokens; so do we.
_SECRET_WORDS = ("apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token")


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[_\-.]+|(?<=[a-z])(?=[A-Z])", name) if t]


def secret_name(name: str) -> bool:
    """HF_TOKEN, WANDB_API_KEY, AWS_SECRET_ACCESS_KEY: yes; TOKENIZERS_PARALLELISM, PUBLIC_KEY_URL: no."""
    tokens = [t.lower() for t in _tokens(name)]
    if not tokens or "public" in tokens:
        return False
    # The secret word must end the name: GF_AUTH_DISABLE_LOGIN_FORM and TS_DISABLE_TOKEN_AUTHORIZATION
    # are switches, not secrets (BuildKit's check flags them; we do not).
    return tokens[-1] in _SECRET_WORDS or name.lower().replace("_", "").endswith("apikey")


@rule("MLD402", "secret-in-build", "warning", scope="dockerfile", hadolint=("DL3064",), buildkit=("SecretsUsedInArgOrEnv",),
      summary="An ARG/ENV named like a secret (HF_TOKEN, WANDB_API_KEY, ...) or a secret file copied from the context")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword == "ARG":
            names = [a.partition("=")[0] for a in inst.args]
        elif inst.keyword == "ENV":
            names = [inst.args[i] for i in range(0, len(inst.args), 3)]
        else:
            continue
        for name in names:
            if secret_name(name):
                yield Issue(inst.line, f"{inst.keyword} `{name}` puts a secret into the image's metadata and history, "
                                       "readable by anyone who can pull the image",
                            fix=f"use a build secret: `RUN --mount=type=secret,id={name.lower()},env={name} ...` "
                                f"and `docker build --secret id={name.lower()},env={name}`; at run time, pass it to "
                                "the container")
    for spec, entries in project.copied_files(df):
        secrets = [e.path for e in entries if is_secret_file(e.path)]
        if secrets:
            shown = ", ".join(secrets[:4]) + (f", … ({len(secrets) - 4} more)" if len(secrets) > 4 else "")
            yield Issue(spec.instruction.line, f"copies secret files into the image: {shown}",
                        fix="exclude them in .dockerignore; pass credentials as build secrets or at run time")


@also("MLD402", "compose")
def check_compose(cf, project):
    """`build.args` of a service named like a secret: the value lands in the image history."""
    for service in cf.services.values():
        if service.build is None:
            continue
        args = service.build.node.get("args")
        for name, node in (args.value.items() if args is not None and isinstance(args.value, dict) else []):
            if secret_name(name):
                yield at(node, f"build arg `{name}` of service `{service.name}` puts a secret into the image's "
                               "history, readable by anyone who can pull the image",
                         fix=f"declare it under `build.secrets:` (and top-level `secrets: {{{name.lower()}: "
                             f"{{environment: {name}}}}}`), then read it in the Dockerfile with "
                             f"`RUN --mount=type=secret,id={name.lower()},env={name} ...`")
