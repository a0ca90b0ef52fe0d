from mllint_docker.rules import Issue, rule


@rule("MLD137", "legacy-key-value-format", "info", scope="dockerfile", hadolint=(), buildkit=("LegacyKeyValueFormat",),
      summary="`ENV key value` / `LABEL key value`: the legacy form without `=`")
def check(df, project):
    for inst in df.instructions:
        if inst.keyword not in ("ENV", "LABEL"):
            continue
        a = inst.args
        for i in range(0, len(a) - 2, 3):
            if a[i + 2] != "=":
                value = a[i + 1]
                shown = f'"{value}"' if any(c.isspace() for c in value) or not value else value
                yield Issue(inst.line, f"`{inst.keyword} {a[i]} {value}` uses the legacy whitespace-separated form: "
                                       "everything after the key, spaces included, becomes one value",
                            fix=f"write `{inst.keyword} {a[i]}={shown}`")
