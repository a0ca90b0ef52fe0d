from mllint_docker.model.dockerfile import referenced_variables
from mllint_docker.rules import Issue, rule

# Instructions whose arguments BuildKit expands (RUN's text goes to the shell unexpanded).
EXPANDED = ("ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR", "ARG")


@rule("MLD136", "undefined-var", "warning", scope="dockerfile", buildkit=("UndefinedVar",),
      summary="A variable is used where it is not defined: a global ARG not redeclared in the stage, or an ARG/ENV declared later")
def check(df, project):
    for inst in df.instructions:
        if inst.stage < 0 or inst.keyword not in EXPANDED or inst.json:
            continue
        later = {n: i.line for i in reversed(df.stages[inst.stage].instructions) if i.line > inst.line
                 for n in _declares(i)}
        args = [a.partition("=")[2] for a in inst.args] if inst.keyword == "ARG" else \
            [inst.args[i + 1] for i in range(0, len(inst.args) - 2, 3)] if inst.keyword in ("ENV", "LABEL") else inst.args
        seen = set()
        for word in args:
            for name, has_default in referenced_variables(word):
                if has_default or name in inst.declared or name in seen:
                    continue
                seen.add(name)
                if name in df.global_declared:
                    yield Issue(inst.line, f"`${name}` is a global ARG, but global ARGs are only visible to FROM: here "
                                           "it expands to an empty string",
                                fix=f"redeclare it in the stage with a bare `ARG {name}` before this line")
                elif name in later and name not in IMAGE_ENV:
                    yield Issue(inst.line, f"`${name}` is declared only later in this stage (line {later[name]}): here "
                                           "it expands to an empty string",
                                fix=f"move the ARG/ENV that sets `{name}` above this line")


# Variables base images commonly set in their own ENV: a later `ENV PATH=...` does not mean an
# earlier `$PATH` is undefined.
IMAGE_ENV = frozenset({"PATH", "HOME", "LANG", "LC_ALL", "LANGUAGE", "LD_LIBRARY_PATH", "LIBRARY_PATH", "PYTHONPATH",
                       "PYTHON_VERSION", "PYTHON_PIP_VERSION", "PYTHON_SHA256", "GPG_KEY", "CUDA_VERSION", "CUDA_HOME",
                       "CUDA_PATH", "NV_CUDA_LIB_VERSION", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
                       "NVIDIA_REQUIRE_CUDA", "CONDA_DIR", "CONDA_PREFIX", "MAMBA_ROOT_PREFIX", "JAVA_HOME",
                       "JAVA_VERSION", "GOPATH", "GOLANG_VERSION", "NODE_VERSION", "YARN_VERSION", "PKG_CONFIG_PATH",
                       "CPATH", "MANPATH", "SHELL", "USER", "TZ", "DEBIAN_FRONTEND", "PIP_NO_CACHE_DIR"})


def _declares(inst):
    if inst.keyword == "ARG":
        return {a.partition("=")[0] for a in inst.args}
    if inst.keyword == "ENV":
        return {inst.args[i] for i in range(0, len(inst.args) - 2, 3)}
    return set()
