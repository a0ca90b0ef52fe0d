from mllint_docker.rules import Issue, rule


@rule("MLD133", "inconsistent-instruction-casing", "info", scope="dockerfile",
      buildkit=("ConsistentInstructionCasing",),
      summary="Instruction keywords mix upper and lower case (`run` among `RUN`s, or `Copy`)")
def check(df, project):
    words = [i.written_keyword for i in df.instructions]
    lower = sum(1 for w in words if w == w.lower())
    upper = sum(1 for w in words if w == w.upper() and w != w.lower())
    majority_lower = lower > upper
    for inst, w in zip(df.instructions, words):
        want = w.lower() if majority_lower else w.upper()
        if w != want:
            yield Issue(inst.line, f"`{w}` is not {'lower' if majority_lower else 'upper'} case like most "
                                   "instructions of this file", fix=f"write `{want}`")
