from mllint_docker.model.installs import installs
from mllint_docker.model.manifests import CONDA_ENV
from mllint_docker.rules import Issue, also, rule

PACKAGES = ("pytorch", "torchvision", "torchaudio", "pytorch-cuda", "pytorch-cpu")
LAST = {"pytorch": (2, 5, 1), "torchvision": (0, 20, 1), "torchaudio": (2, 5, 1), "pytorch-cuda": (12, 4)}


@rule("MLD210", "pytorch-channel-retired", "warning", scope="manifest",
      summary="PyTorch from the `pytorch` conda channel, which published nothing after 2.5.1")
def check(m, project):
    if m.format != CONDA_ENV:
        return
    channel = any(c.rstrip("/").lower().endswith("pytorch") for c, _ in m.channels)
    for e in m.entries:
        if e.kind != "conda" or e.name not in PACKAGES:
            continue
        from_channel = (e.source or "").lower().endswith("pytorch") or (channel and not e.source)
        if from_channel:
            problem = _problem(e.name, e.spec)
            if problem:
                yield Issue(e.line, f"`{e.text}` from the `pytorch` channel: {problem}", column=e.column, fix=FIX)


@also("MLD210", "dockerfile")
def check_run(df, project):
    for install in installs(df):
        if install.tool != "conda":
            continue
        channels = [w.value.lower() for w in install.values("channel")]
        for p in install.packages:
            spec = p.spec
            name = spec.split("::", 1)[-1]
            base = name.split("=", 1)[0].split("<", 1)[0].split(">", 1)[0].strip().lower()
            if base not in PACKAGES:
                continue
            if "pytorch" not in channels and not spec.lower().startswith("pytorch::"):
                continue
            problem = _problem(base, name[len(base):].strip())
            if problem:
                yield Issue(p.line, f"`{spec}` from the `pytorch` channel: {problem}", column=p.word.column, fix=FIX)


FIX = ("install PyTorch from conda-forge (`pytorch` with `cuda-version=12.x`) or with pip from "
       "https://download.pytorch.org/whl/<cu124|cpu> in the environment's `pip:` section")


def _problem(name: str, spec: str) -> str | None:
    import re

    last = LAST.get(name)
    newest = ".".join(map(str, last)) if last else "the 2.5.1 series"
    spec = spec.strip()
    m = re.match(r"^(==|=|>=|>|~=)?\s*(\d+(?:\.\d+)*)", spec)
    if not spec or not m:
        return (f"the channel's newest {name} is {newest} (PyTorch 2.5.1, October 2024): this resolves to that old "
                "release, or fails as soon as another package needs a newer one")
    if last is None:
        return None
    version = tuple(int(x) for x in m.group(2).split("."))
    op = m.group(1) or "="
    if version[: len(last)] > last[: len(version)] or (op in (">", ">=") and version > last):
        last_of = "" if name == "pytorch" else f" ({name} {newest})"
        return (f"the channel stopped publishing with PyTorch 2.5.1{last_of}, so `{spec}` does not exist "
                "there and the solve fails")
    return None
