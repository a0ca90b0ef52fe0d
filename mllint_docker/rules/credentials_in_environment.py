import re

from mllint_docker.rules import rule
from mllint_docker.rules._compose import at
from mllint_docker.rules.secret_in_build import secret_name

# `scheme://user:password@host`: a password written into a URL.
_URL_PASSWORD = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@")
# Token formats that are secrets whatever the variable is called.
_TOKENS = re.compile(r"\b(hf_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{36,}|"
                     r"AKIA[0-9A-Z]{16}|xox[abpr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,})\b")
_NOT_SECRETS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "0", "1"})
# Values that say "no key needed here" (local Ollama and vLLM servers take any key): not credentials.
_PLACEHOLDERS = re.compile(r"^(?:dummy|placeholder|empty|not[-_ ]?needed|no[-_ ]?key|unused|fake|ignored|n/?a|"
                           r"x+|\*+|\.\.\.|<[^>]*>|your[-_ ].*|sk-x+|sk-no-key-required|ollama)$", re.I)


def credential(name: str, value: str) -> str | None:
    """What makes this value a written-down credential, in words; None when it is not one."""
    if _URL_PASSWORD.search(value):
        return "a URL with a password in it"
    if _TOKENS.search(value):
        return "an access token"
    if secret_name(name) and value.strip().lower() not in _NOT_SECRETS and not _PLACEHOLDERS.match(value.strip()):
        return "a secret"
    return None


@rule("MLD702", "credentials-in-environment", "warning", scope="compose",
      summary="A password, token or `user:pass@` URL written into `environment:` or a committed `env_file`")
def check(cf, project):
    for service in cf.services.values():
        for var in service.environment.values():
            if not var.value:
                continue  # passed through from the environment, or empty
            what = credential(var.name, var.value)
            if what is None:
                continue
            if var.env_file is not None:
                if var.env_file in cf.tracked_env_files:
                    yield at(var.node, f"`{var.name}` (for service `{service.name}`) holds {what} in "
                                       f"`{var.env_file.name}`, which git does not ignore: it gets committed",
                             fix=f"add `{var.env_file.name}` to .gitignore (commit a `.example` copy without values) "
                                 "or move the value to `secrets:`")
                continue
            origin = " (the default of its `${...}`)" if "$" in (var.node.raw or "") else ""
            yield at(var.node, f"`{var.name}` of service `{service.name}` holds {what} written into the compose "
                               f"file{origin}: it is in git, in `docker inspect` and in every process's environment",
                     fix=f"move it to `secrets:` (e.g. `{var.name}_FILE=/run/secrets/...` where the image reads one) "
                         f"or to an `env_file` kept out of git, or take it from the environment: `{var.name}: ${{{var.name}:?}}`")
