"""The model: what a project's files mean, parsed once. Rules read it and never parse text.

- `discovery.py`: which files there are; `project.py`: how they relate (build contexts, includes).
- `dockerfile.py`: stages and instructions with exact lines, resolved ARG/ENV, heredocs.
- `shell.py`: every simple command of a RUN with its argv and the line of each word.
- `requirements.py`, `compose.py`: requirements files and compose files (`compose_roles.py`: what a
  service is: a model server, a datastore, a job that writes its mounts).
- `context.py`: what Docker sends as the build context; `context_listing.py`: what each COPY brings in.
- `installs/`: the package installs in RUN, one module per installer family around one core.
- `imageref.py`, `artefacts.py`, `toolchain.py`: image references, ML artefact kinds, build toolchains.
"""
