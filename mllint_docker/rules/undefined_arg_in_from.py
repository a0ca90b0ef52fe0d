from mllint_docker.model.dockerfile import referenced_variables
from mllint_docker.rules import Issue, rule

# ARGs BuildKit defines for every FROM.
PLATFORM_ARGS = frozenset({"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS",
                           "BUILDARCH", "BUILDVARIANT"})


@rule("MLD135", "undefined-arg-in-from", "warning", scope="dockerfile", buildkit=("UndefinedArgInFrom",),
      summary="FROM uses a variable that no ARG before the first FROM declares")
def check(df, project):
    for stage in df.stages:
        inst = stage.from_instruction
        words = [stage.base_raw] + [v for v in inst.flags.get("platform", [])]
        for word in words:
            for name, has_default in referenced_variables(word):
                if name in df.global_declared or name in PLATFORM_ARGS or has_default:
                    continue
                later = [i.line for i in df.instructions if i.keyword == "ARG" and i.stage >= 0
                         and name in {a.partition("=")[0] for a in i.args}]
                where = f" (line {later[0]} declares it inside a stage, where FROM cannot see it)" if later else ""
                yield Issue(inst.line, f"FROM uses `${name}`, which no ARG before the first FROM declares{where}: "
                                       "it expands to an empty string", fix=f"declare `ARG {name}=<default>` before the first FROM")
