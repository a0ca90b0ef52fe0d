import posixpath

from mllint_docker.model.downloads import downloads, home, is_bulky, removes
from mllint_docker.model.installs import build_only, cache_mounted
from mllint_docker.rules import Issue, rule


@rule("MLD127", "download-left-in-layer", "warning", scope="dockerfile",
      summary="A RUN downloads an archive or package (`wget x.tar.gz`, `curl -O x.deb`) and does not delete it in the same RUN")
def check(df, project):
    for stage in df.stages:
        if build_only(df, stage):
            continue  # a builder stage's layers never reach the image
        for spec in df.copies:
            inst = spec.instruction
            if inst.keyword != "ADD" or inst.stage != stage.index:
                continue
            for src in spec.remote_sources:  # URLs are never context sources: the model keeps them apart
                name = posixpath.basename(src.split("?", 1)[0].rstrip("/"))
                if "://" in src and not src.startswith("git@") and is_bulky(name) and not src.endswith(".git"):
                    yield Issue(inst.line, f"`ADD {src}` stores `{name}` in a layer of its own (ADD does not unpack "
                                           "remote archives): a later RUN that unpacks and deletes it cannot shrink "
                                           "that layer",
                                fix=f"download, unpack and delete in one RUN: `RUN curl -fsSL {src} | tar -xz -C <dir>` "
                                    "(or `ADD --checksum=... ` in a builder stage whose result you COPY)")
        for inst in (i for i in df.runs_with("wget", "curl") if i.stage == stage.index):  # `downloads` reads these
            workdir = project.workdir_at(df, inst)
            commands = inst.commands
            for n, cmd in enumerate(commands):
                for d in downloads(cmd):
                    if not is_bulky(d.name):
                        continue
                    cwd = _cwd(commands[:n], workdir)
                    full = posixpath.normpath(posixpath.join(cwd, home(d.path)))
                    if cache_mounted(inst, posixpath.dirname(full)) or full.startswith("/dev/"):
                        continue
                    if any(removes(c, d.path, _cwd(commands[:k], workdir)) for k, c in enumerate(commands) if k > n):
                        continue
                    yield Issue(cmd.line, f"`{cmd.name}` saves `{d.name}` to {full} and nothing later in this RUN deletes "
                                          "it: the archive stays in the layer beside whatever was unpacked or installed "
                                          "from it", column=cmd.column,
                                fix=f"end the same RUN with `&& rm -f {d.path}` (a later RUN cannot shrink this layer), "
                                    f"or stream it: `curl -fsSL <url> | tar -xz`")


def _cwd(before, workdir: str) -> str:
    cwd = workdir
    for c in before:
        if c.name == "cd" and len(c.argv) > 1 and not c.nested:
            cwd = posixpath.normpath(posixpath.join(cwd, c.argv[1]))
    return cwd
