from mllint_docker.rules import Issue, rule

_OS = ("linux", "windows", "darwin", "freebsd")


@rule("MLD144", "constant-platform-flag", "warning", scope="dockerfile", hadolint=("DL3029",),
      buildkit=("FromPlatformFlagConstDisallowed",),
      summary="`FROM --platform=linux/amd64`: a constant platform pins the stage whatever `--platform` the build asks for")
def check(df, project):
    for stage in df.stages:
        for value in stage.from_instruction.flags.get("platform", []):
            if "$" in value:
                continue
            parts = value.strip().lower().split("/")
            if len(parts) < 2 or parts[0] not in _OS:
                continue
            name = (stage.name or "").lower()
            if name and (parts[0] in name or parts[1] in name):
                continue  # a stage named for its platform means it
            yield Issue(stage.line, f"`--platform={value}` is a constant: this stage is {value} even in a build for "
                                    "another platform (emulated, or the wrong architecture in the image)",
                        fix="use `--platform=$BUILDPLATFORM` for a cross-compiling builder stage, or drop the flag")
