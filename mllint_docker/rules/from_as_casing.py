from mllint_docker.rules import Issue, rule


@rule("MLD131", "from-as-casing", "info", scope="dockerfile", buildkit=("FromAsCasing",),
      summary="`AS` in FROM is not cased like `FROM`")
def check(df, project):
    for stage in df.stages:
        inst = stage.from_instruction
        if len(inst.args) < 3:
            continue
        written, as_word = inst.written_keyword, inst.args[1]
        if written == written.lower():
            want = as_word.lower()
        elif written == written.upper():
            want = as_word.upper()
        else:
            continue  # a mixed-case FROM is inconsistent-instruction-casing's finding
        if as_word != want:
            yield Issue(inst.line, f"`{written} ... {as_word}`: the `{as_word}` keyword is not cased like `{written}`",
                        fix=f"write `{written} ... {want}`")
