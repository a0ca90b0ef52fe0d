"""Analyse an image tarball in one streaming pass, without extracting it.

Reads `docker save` tarballs (the legacy layout with `manifest.json` and `<id>/layer.tar`, and the
OCI-based layout of Docker 25+ with `blobs/sha256/...`) and OCI image-layout tarballs
(`index.json` -> manifest -> config -> layers, layers possibly gzip- or zstd-compressed). The
whole tarball may itself be gzip-compressed.

The layers can come before the manifest that orders them, so every blob that is a tar is reduced
while streaming to a compact per-layer summary (paths and sizes, no contents), keyed by its name;
the manifest orders them at the end. Memory grows with the number of files, not with bytes.

Wasted bytes and efficiency are dive's (github.com/wagoodman/dive, dive/filetree/efficiency.go),
reimplemented with its exact rules, quirks included:
- every leaf node of every layer's own tree (files, symlinks, empty directories, whiteouts) adds
  its size to its path; a whiteout of a directory adds the size of everything under that
  directory in the layers below, a whiteout of a file adds 0;
- a path seen in two or more layers is "inefficient"; wasted bytes = the sum of its sizes over
  all those layers (the surviving copy included);
- efficiency = sum over all paths of the smallest size seen / sum over all paths of all sizes;
- opaque-directory markers (`.wh..wh..opq`) are ignored, as dive ignores them.
`ImageReport.waste` is the exact account instead: which bytes of which layer the final
filesystem no longer shows, and which later layer hid them (opaque directories honoured).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import operator
import os
import platform
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from mllint_docker.image.errors import ImageError
from mllint_docker.image.report import (
    DELETED, OVERWRITTEN, CacheUsage, DataFile, Distribution, FileEntry, HistoryEntry, ImageConfig, ImageReport,
    InefficientPath, Layer, Waste,
)
from mllint_docker.image.tarstream import (
    AREG, BLOCK, CONT, DIR, GZIP_MAGIC, LNK, REG, SYM, ZSTD_MAGIC, Source, bounded, decompressing, gzip_source,
    is_tar_header, iter_headers, iter_members, zstd_source,
)

DEFAULT_DATA_THRESHOLD = 1_000_000  # 1 MB, as the `data-file-size` setting counts it
MAX_JSON = 64 << 20
MAX_DIST_INFO = 8 << 20  # a RECORD or METADATA file larger than this is not read

MODEL_EXTENSIONS = frozenset(".pt .pth .ckpt .safetensors .bin .onnx .h5 .keras .pb .tflite .gguf .pkl .joblib".split())
DATA_EXTENSIONS = frozenset(".npy .npz .parquet .feather .arrow .tfrecord .csv .tsv .jsonl".split())

_CONDA_ROOT = r"(?:\.?conda|anaconda\d*|miniconda\d*|miniforge\d*|mambaforge\d*|micromamba|\.?mamba)"
_CACHES = re.compile(
    r"^(?:(?P<pip>.*/\.cache/pip)/"
    r"|(?P<uv>.*/\.cache/uv)/"
    r"|(?P<huggingface>.*/\.cache/huggingface)/"
    r"|(?P<torch>.*/\.cache/torch)/"
    r"|(?P<apt_lists>/var/lib/apt/lists)/"
    r"|(?P<apt_archives>/var/cache/apt)/"
    r"|(?P<conda_pkgs>(?:.*/)?" + _CONDA_ROOT + r"/pkgs)/"
    r"|(?P<pycache>).*/__pycache__/)"
)
_CACHE_KINDS = {"pip": "pip", "uv": "uv", "huggingface": "huggingface", "torch": "torch", "apt_lists": "apt-lists",
                "apt_archives": "apt-archives", "conda_pkgs": "conda-pkgs", "pycache": "pycache"}


# ---------------------------------------------------------------------------------------------
# per-layer scan

@dataclass(slots=True)
class LayerScan:
    files: dict[str, int]
    dirs: set[str]
    whiteouts: list[str]  # targets, absolute
    opaque: list[str]  # directories, absolute
    marker_dirs: list[str]  # directories holding `.wh..wh..*` markers (nodes in dive's tree)
    size: int
    symlink_bytes: int
    entries: int
    compression: str | None = None
    # `*.dist-info` directory -> {"RECORD": bytes, "METADATA": its header block}, as this layer has them
    dist_info: dict[str, dict[str, bytes]] | None = None


def _clean(name: str) -> str | None:
    """Go's path.Clean of a tar name, made absolute; None for the root."""
    if name.startswith("./"):
        name = name[2:]
    if name.endswith("/"):
        name = name.rstrip("/")
    if "//" in name or "/." in name or name[:1] in "./":
        if not name or name in (".", "/"):
            return None
        name = posixpath.normpath("/" + name)
        if name.startswith("//"):
            name = name[1:]
        return None if name == "/" else name
    return "/" + name


def scan_layer(src: Source, limit: int | None = None) -> LayerScan:
    """Reduces one layer tar to its summary; reads headers only, skips contents."""
    files: dict[str, int] = {}
    dirs: set[str] = set()
    whiteouts: list[str] = []
    opaque: list[str] = []
    markers: list[str] = []
    total = 0
    symlink_bytes = 0
    entries = 0
    dist_info: dict[str, dict[str, bytes]] = {}
    for typ, name, size, link in iter_headers(src, limit, what="a layer of the image"):
        try:
            sname = name.decode()
        except UnicodeDecodeError:
            sname = name.decode("utf-8", "surrogateescape")
        if sname[:1] in "./" or sname[-1:] == "/" or "//" in sname or "/." in sname:
            path = _clean(sname)
            if path is None:
                continue
        else:
            path = "/" + sname
        entries += 1
        total += size
        if ".wh." in path:
            j = path.rfind("/")
            base = path[j + 1:]
            if ".wh..wh." in path:
                # dive builds the nodes before the first `.wh..wh.` component, and stops there
                k = path.find("/.wh..wh.")
                if k > 0:
                    markers.append(path[:k])
                if base == ".wh..wh..opq":
                    opaque.append(path[:j] or "/")
                continue
            if base.startswith(".wh."):
                whiteouts.append(path[:j + 1] + base[4:])
                continue
        if typ == DIR:
            dirs.add(path)
        else:
            files[path] = size
            if typ == SYM:
                symlink_bytes += len(link)
            elif ".dist-info/" in path and size <= MAX_DIST_INFO and (typ == REG or typ == AREG):
                d, _, base = path.rpartition("/")
                if base in ("RECORD", "METADATA") and d.endswith(".dist-info"):
                    data = src.read(size)
                    if base == "METADATA":
                        data = data.split(b"\n\n", 1)[0]  # the headers; the description is not needed
                    dist_info.setdefault(d, {})[base] = data
    return LayerScan(files, dirs, whiteouts, opaque, markers, total, symlink_bytes, entries,
                     dist_info=dist_info or None)


# ---------------------------------------------------------------------------------------------
# streaming the image tarball

@dataclass
class _Tarball:
    scans: dict[str, LayerScan]
    jsons: dict[str, bytes]
    links: dict[str, str]  # member name -> the member it links to


def _member_name(name: str) -> str:
    name = posixpath.normpath(name.lstrip("/")) if name not in ("", ".") else name
    return name[2:] if name.startswith("./") else name


def _sniff(head: bytes, size: int) -> str | None:
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head[:4] == ZSTD_MAGIC:
        return "zstd"
    if size >= BLOCK and is_tar_header(head[:BLOCK]):
        return "tar"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    return None


def _scan_member(src: Source, kind: str, start: int, size: int) -> LayerScan:
    if kind == "gzip":
        scan = scan_layer(gzip_source(bounded(src, size)))
    elif kind == "zstd":
        scan = scan_layer(zstd_source(bounded(src, size)))
    else:
        scan = scan_layer(src, start + size)
        kind = None
    scan.compression = kind
    return scan


def _stream(src: Source) -> _Tarball:
    tb = _Tarball({}, {}, {})
    for m in iter_members(src):
        name = _member_name(m.name)
        if m.type in (REG, AREG, CONT):
            if name.startswith("blobs/") or name.endswith((".tar", ".tar.gz", ".tgz", ".tar.zst")):
                head = src.peek(min(m.size, BLOCK))
                kind = _sniff(head, m.size)
                if kind in ("tar", "gzip", "zstd"):
                    try:
                        tb.scans[name] = _scan_member(src, kind, m.data_start, m.size)
                    except ImageError:
                        raise
                    except Exception as e:  # noqa: BLE001 - a blob that only looked like a tar
                        raise ImageError(f"cannot read the layer {name} of the image: {e}") from None
                elif kind == "json" and m.size <= MAX_JSON:
                    tb.jsons[name] = src.read(m.size)
            elif (name.endswith(".json") or name in ("repositories", "oci-layout")) and m.size <= MAX_JSON:
                tb.jsons[name] = src.read(m.size)
        elif m.type == SYM:
            tb.links[name] = _member_name(posixpath.join(posixpath.dirname(name), m.linkname))
        elif m.type == LNK:
            tb.links[name] = _member_name(m.linkname)
    return tb


# ---------------------------------------------------------------------------------------------
# manifests

def _json(tb: _Tarball, name: str, what: str):
    data = tb.jsons.get(name)
    if data is None:
        raise ImageError(f"the image tarball has no {what} ({name})")
    try:
        return json.loads(data)
    except ValueError as e:
        raise ImageError(f"the image tarball's {what} ({name}) is not valid JSON: {e}") from None


def _blob_name(digest: str) -> str:
    alg, _, hexa = digest.partition(":")
    return f"blobs/{alg}/{hexa}"


def _host_platform() -> tuple[str, str]:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return "linux", arch


def _pick_manifest(tb: _Tarball, index: dict, ref: str | None, depth: int = 0) -> dict:
    manifests = [m for m in index.get("manifests") or [] if isinstance(m, dict)]
    # attestation manifests (buildx provenance) are not images
    images = [m for m in manifests
              if (m.get("annotations") or {}).get("vnd.docker.reference.type") != "attestation-manifest"]
    if not images:
        raise ImageError("the image tarball's index lists no image manifest")
    chosen = None
    if ref:
        for m in images:
            names = (m.get("annotations") or {})
            if ref in (names.get("io.containerd.image.name"), names.get("org.opencontainers.image.ref.name")):
                chosen = m
                break
    if chosen is None and len(images) > 1:
        want = _host_platform()
        for m in images:
            p = m.get("platform") or {}
            if (p.get("os"), p.get("architecture")) == want:
                chosen = m
                break
    chosen = chosen or images[0]
    doc = _json(tb, _blob_name(chosen.get("digest", "")), "image manifest")
    media = doc.get("mediaType") or chosen.get("mediaType") or ""
    if "manifests" in doc or media.endswith(("image.index.v1+json", "manifest.list.v2+json")):
        if depth > 4:
            raise ImageError("the image tarball's indexes nest too deep")
        return _pick_manifest(tb, doc, ref, depth + 1)
    return doc


def _resolve(tb: _Tarball, name: str) -> str:
    seen = 0
    while name not in tb.scans and name in tb.links and seen < 16:
        name = tb.links[name]
        seen += 1
    return name


def _layout(tb: _Tarball, ref: str | None) -> tuple[str, str, list[tuple[str, str | None]], list[str]]:
    """(format, config member, [(layer member, digest)], repo tags)."""
    if "manifest.json" in tb.jsons:
        entries = _json(tb, "manifest.json", "manifest.json")
        if not isinstance(entries, list) or not entries:
            raise ImageError("the image tarball's manifest.json lists no image")
        entry = entries[0]
        if ref:
            entry = next((e for e in entries if ref in (e.get("RepoTags") or [])), entry)
        layers = []
        for p in entry.get("Layers") or []:
            p = _member_name(p)
            digest = None
            if p.startswith("blobs/"):
                parts = p.split("/")
                digest = f"{parts[1]}:{parts[2]}" if len(parts) == 3 else None
            layers.append((p, digest))
        fmt = "docker-save-oci" if any(p.startswith("blobs/") for p, _ in layers) or "index.json" in tb.jsons \
            else "docker-save"
        return fmt, _member_name(entry.get("Config", "")), layers, list(entry.get("RepoTags") or [])
    if "index.json" in tb.jsons:
        index = _json(tb, "index.json", "index.json")
        manifest = _pick_manifest(tb, index, ref)
        config = (manifest.get("config") or {}).get("digest")
        if not config:
            raise ImageError("the image manifest names no config")
        layers = [(_blob_name(lay["digest"]), lay["digest"]) for lay in manifest.get("layers") or []]
        tags = []
        for m in index.get("manifests") or []:
            name = (m.get("annotations") or {}).get("io.containerd.image.name")
            if name:
                tags.append(name)
        return "oci-layout", _blob_name(config), layers, tags
    raise ImageError("not an image tarball: it has neither manifest.json (docker save) nor index.json (OCI layout)")


def _config(raw: dict) -> ImageConfig:
    c = raw.get("config") or {}
    env = {}
    for item in c.get("Env") or []:
        k, _, v = str(item).partition("=")
        env[k] = v
    return ImageConfig(
        env=env, user=c.get("User") or None, workdir=c.get("WorkingDir") or None,
        entrypoint=c.get("Entrypoint"), cmd=c.get("Cmd"), exposed_ports=sorted(c.get("ExposedPorts") or {}),
        labels=dict(c.get("Labels") or {}), volumes=sorted(c.get("Volumes") or {}), healthcheck=c.get("Healthcheck"),
        architecture=raw.get("architecture"), os=raw.get("os"))


# ---------------------------------------------------------------------------------------------
# the filesystem as layers stack

class _Tree:
    """A stacked filesystem as flat maps: path -> size (every node), the directories among them,
    path -> layer (when tracked), and, built on first need, a children index for subtrees."""

    __slots__ = ("size", "dirs", "layer", "kids", "_scans")

    def __init__(self, track_layers: bool) -> None:
        self.size: dict[str, int] = {}
        self.dirs: set[str] = set()
        self.layer: dict[str, int] | None = {} if track_layers else None
        self.kids: dict[str, set[str]] | None = None
        self._scans = 0

    def index(self) -> dict[str, set[str]]:
        if self.kids is None:
            kids: dict[str, set[str]] = defaultdict(set)
            for p in self.size:
                kids[p[:p.rfind("/")] or "/"].add(p)
            self.kids = kids
        return self.kids

    def add_all(self, sizes: dict[str, int], is_dir: bool, layer: int) -> None:
        """Sets the payload of each path (bulk: dict and set operations)."""
        if self.kids is not None:
            kids = self.kids
            for p in sizes.keys() - self.size.keys():
                kids[p[:p.rfind("/")] or "/"].add(p)
        self.size.update(sizes)
        if is_dir:
            self.dirs.update(sizes)
        elif self.dirs:
            self.dirs.difference_update(sizes)
        if self.layer is not None:
            self.layer.update(dict.fromkeys(sizes, layer))

    def add(self, p: str, size: int, is_dir: bool, layer: int) -> None:
        if self.kids is not None and p not in self.size:
            self.kids[p[:p.rfind("/")] or "/"].add(p)
        self.size[p] = size
        if is_dir:
            self.dirs.add(p)
        else:
            self.dirs.discard(p)
        if self.layer is not None:
            self.layer[p] = layer

    def _under(self, path: str) -> list[str]:
        """The nodes strictly under path. A few whiteouts are answered by scanning the paths (cheaper
        than indexing them all); from the 9th on, a children index answers."""
        kids = self.kids
        if kids is None and self._scans < 8:
            self._scans += 1
            pre = path + "/" if path != "/" else "/"
            return [p for p in self.size if p.startswith(pre)]
        kids = self.index()
        out: list[str] = []
        stack = list(kids.get(path, ()))
        while stack:
            p = stack.pop()
            out.append(p)
            stack.extend(kids.get(p, ()))
        return out

    def subtree_size(self, path: str) -> int:
        size = self.size
        return size.get(path, 0) + sum(size.get(p, 0) for p in self._under(path))

    def remove(self, path: str, keep_root: bool = False) -> list[tuple[str, int, int, bool]]:
        """Removes path (unless keep_root) and everything under it: [(path, size, layer, is_dir)]."""
        size, dirs, layers, kids = self.size, self.dirs, self.layer, self.kids
        victims = self._under(path)
        kids = self.kids
        if not keep_root:
            victims.append(path)
            if kids is not None:
                parent = kids.get(path[:path.rfind("/")] or "/")
                if parent is not None:
                    parent.discard(path)
        elif kids is not None:
            kids.pop(path, None)
        removed = []
        for p in victims:
            sz = size.pop(p, None)
            if kids is not None:
                kids.pop(p, None)
            if sz is not None:
                is_dir = p in dirs
                if is_dir:
                    dirs.discard(p)
                removed.append((p, sz, layers.pop(p, -1) if layers is not None else -1, is_dir))
        return removed


def _ancestors_into(paths, parents: set[str]) -> None:
    for p in paths:
        j = p.rfind("/")
        while j > 0:
            a = p[:j]
            if a in parents:
                break
            parents.add(a)
            j = p.rfind("/", 0, j)


def _path_key(p: str) -> list[str]:
    return p.split("/")


_AFTER_CHILDREN = "\U0010ffff"


def _stack_key(p: str) -> list[str]:
    """Sorts a node after everything under it, siblings by name: dive's child-first visit."""
    key = p.split("/")
    key.append(_AFTER_CHILDREN)
    return key


class _Waste:
    def __init__(self) -> None:
        self.groups: dict[tuple[int, int, str], list] = {}

    def add(self, path: str, size: int, added: int, removed: int, how: str) -> None:
        g = self.groups.get((added, removed, how))
        if g is None:
            g = self.groups[(added, removed, how)] = [0, 0, []]
        g[0] += size
        g[1] += 1
        top = g[2]
        if len(top) < 10:
            heapq.heappush(top, (size, path))
        elif size > top[0][0]:
            heapq.heapreplace(top, (size, path))


# ---------------------------------------------------------------------------------------------
# the analysis

class _Efficiency:
    """dive's per-path tallies. Paths seen once (nearly all) live in two plain dicts updated in
    bulk; paths seen again move to `multi`: [cumulative, min, count, layers]."""

    def __init__(self) -> None:
        self.single: dict[str, int] = {}
        self.single_layer: dict[str, int] = {}
        self.multi: dict[str, list] = {}

    def visit_all(self, leaves: dict[str, int], i: int) -> None:
        single, multi = self.single, self.multi
        keys = leaves.keys()
        again = keys & single.keys()
        again_multi = keys & multi.keys() if multi else ()
        if not again and not again_multi:
            single.update(leaves)
            self.single_layer.update(dict.fromkeys(leaves, i))
            return
        for p in again_multi:
            self.visit(p, leaves[p], i)
        for p in again:
            self.visit(p, leaves[p], i)
        new = keys - again - set(again_multi)
        single.update({p: leaves[p] for p in new})
        self.single_layer.update(dict.fromkeys(new, i))

    def visit(self, p: str, size: int, i: int) -> None:
        e = self.multi.get(p)
        if e is None:
            first = self.single.pop(p, None)
            if first is None:
                self.single[p] = size
                self.single_layer[p] = i
                return
            fl = self.single_layer.pop(p)
            self.multi[p] = [first + size, min(first, size), 2, [fl, i]]
            return
        e[0] += size
        if e[1] < 0 or size < e[1]:
            e[1] = size
        e[2] += 1
        e[3].append(i)

    def phantom(self, p: str) -> None:
        """dive's entry for a whiteout it could not resolve: no node, minimum -1."""
        if p not in self.single and p not in self.multi:
            self.multi[p] = [0, -1, 0, []]


def _compute(scans: list[LayerScan]) -> dict:
    n = len(scans)
    eff = _Efficiency()
    wh_layers = [i for i, s in enumerate(scans) if s.whiteouts]
    last_wh = wh_layers[-1] if wh_layers else -1
    dive = _Tree(track_layers=False)  # dive's stacked tree
    fs = _Tree(track_layers=True)  # the real filesystem
    waste = _Waste()
    wasted_created = [0] * n

    def hidden(items, i: int, how: str) -> None:
        for p, size, layer, is_dir in items:
            if not is_dir and size and layer != i:
                waste.add(p, size, layer, i, how)
                wasted_created[layer] += size

    for i, s in enumerate(scans):
        files, dirs = s.files, s.dirs
        parents: set[str] = set()
        _ancestors_into(files, parents)
        _ancestors_into(dirs, parents)
        _ancestors_into(s.whiteouts, parents)
        _ancestors_into(s.marker_dirs, parents)
        marker_dirs = set(s.marker_dirs)
        implicit = (parents | marker_dirs) - dirs - files.keys()

        use_dive = i <= last_wh
        if use_dive and i == 0:  # dive looks whiteouts of the first layer up in that layer itself
            dive.add_all(files, False, 0)
            dive.add_all(dict.fromkeys(dirs, 0), True, 0)
            dive.add_all(dict.fromkeys(implicit, 0), False, 0)

        # -- dive's efficiency: visit the leaves of this layer's tree
        wh_sizes: list[int | None] = []
        for t in s.whiteouts:
            if t not in dive.size:
                wh_sizes.append(None)
            elif t in dive.dirs:
                wh_sizes.append(dive.subtree_size(t))
            else:
                wh_sizes.append(0)
        file_leaves = files if not (parents and files.keys() & parents) else \
            {p: sz for p, sz in files.items() if p not in parents}
        dir_leaves = dirs - parents
        marker_leaves = marker_dirs - parents - dirs - files.keys() if marker_dirs else ()
        if None in wh_sizes:
            # dive stops visiting this layer at the first whiteout whose target it cannot find
            leaves = list(file_leaves.items()) + [(p, 0) for p in dir_leaves] + [(p, 0) for p in marker_leaves]
            wh = [(t[:t.rfind("/") + 1] + ".wh." + t[t.rfind("/") + 1:], t, sz) for t, sz in zip(s.whiteouts, wh_sizes)]
            order = sorted([(_path_key(p), p, sz, False) for p, sz in leaves] +
                           [(_path_key(node), t, sz, True) for node, t, sz in wh], key=lambda x: x[0])
            for _, p, sz, is_wh in order:
                if is_wh and sz is None:
                    eff.phantom(p)
                    break
                eff.visit(p, sz, i)
        else:
            eff.visit_all(file_leaves, i)
            if dir_leaves:
                eff.visit_all(dict.fromkeys(dir_leaves, 0), i)
            for p in marker_leaves:
                eff.visit(p, 0, i)
            for t, sz in zip(s.whiteouts, wh_sizes):
                eff.visit(t, sz, i)

        # -- stack this layer on dive's tree (only needed below the last layer with whiteouts)
        if use_dive and i < last_wh:
            if not s.whiteouts:
                dive.add_all(files, False, i)
                dive.add_all(dict.fromkeys(dirs, 0), True, i)
                dive.add_all(dict.fromkeys(implicit, 0), False, i)
            else:
                # dive stacks in its tree's visiting order (children first, by name), a whiteout
                # removing what is there when its turn comes
                items = [(_stack_key(p), p, size, False) for p, size in files.items()]
                items += [(_stack_key(p), p, 0, True) for p in dirs]
                items += [(_stack_key(p), p, 0, False) for p in implicit]
                for t in s.whiteouts:
                    j = t.rfind("/")
                    items.append((_stack_key(t[:j + 1] + ".wh." + t[j + 1:]), t, None, False))
                items.sort(key=lambda x: x[0])
                for _, p, size, is_dir in items:
                    if size is None:
                        if p in dive.size:
                            dive.remove(p)
                    else:
                        dive.add(p, size, is_dir, i)

        # -- the real filesystem: this layer's deletions first, then its files
        for d in s.opaque:
            hidden(fs.remove(d, keep_root=True), i, DELETED)
        for t in s.whiteouts:
            hidden(fs.remove(t), i, DELETED)
        fsize, flayer = fs.size, fs.layer
        for p in files.keys() & fsize.keys():
            if p in fs.dirs:  # a file over a directory hides all of it
                hidden(fs.remove(p, keep_root=True), i, OVERWRITTEN)
            elif fsize.get(p) and flayer[p] != i:
                hidden([(p, fsize[p], flayer[p], False)], i, OVERWRITTEN)
        fs.add_all(files, False, i)
        replaced = dirs & fsize.keys()
        for p in replaced:
            if p not in fs.dirs and p in fsize:
                hidden([(p, fsize[p], flayer[p], False)], i, OVERWRITTEN)
        fs.add_all(dict.fromkeys(dirs, 0), True, i)
        if implicit:  # directories only implied by their contents (needed to find subtrees)
            fs.add_all(dict.fromkeys(implicit - fsize.keys(), 0), True, i)

    return {"eff": eff, "fs": fs, "waste": waste, "wasted_created": wasted_created}


def _caches(layers: list[Layer], final: dict[str, int]) -> list[CacheUsage]:
    out = []
    for layer in layers:
        groups: dict[tuple[str, str], list[int]] = {}
        for p, size in layer.files.items():
            if "cache" not in p and "/apt/" not in p and "/pkgs/" not in p:
                continue
            m = _CACHES.match(p)
            if not m:
                continue
            kind = m.lastgroup
            root = "**/__pycache__" if kind == "pycache" else m.group(kind)
            g = groups.get((kind, root))
            if g is None:
                g = groups[(kind, root)] = [0, 0, 0]
            g[0] += size
            g[1] += 1
            if final.get(p) == layer.index:
                g[2] += size
        for (kind, root), (nbytes, nfiles, final_bytes) in groups.items():
            if nbytes:
                out.append(CacheUsage(_CACHE_KINDS[kind], root, layer.index, nbytes, nfiles, final_bytes))
    out.sort(key=lambda c: (-c.bytes, c.layer, c.root))
    return out


def _data_files(layers: list[Layer], final: dict[str, int], threshold: int) -> list[DataFile]:
    out = []
    for layer in layers:
        for p, size in layer.files.items():
            if size < threshold:
                continue
            dot = p.rfind(".")
            if dot < p.rfind("/"):
                continue
            ext = p[dot:].lower()
            if ext in MODEL_EXTENSIONS:
                kind = "model"
            elif ext in DATA_EXTENSIONS:
                kind = "data"
            else:
                continue
            if p.startswith(("/var/cache/apt/", "/var/lib/apt/")):
                continue
            out.append(DataFile(p, size, layer.index, kind, final.get(p) == layer.index,
                                "/site-packages/" in p or "/dist-packages/" in p))
    out.sort(key=lambda d: (-d.size, d.path))
    return out


def content_kind(path: str) -> str:
    """What a file in an image is, for the size breakdown: `cache`, `data` (datasets and models),
    `python` (installed Python packages and environments), `os` (system files and OS packages) or
    `code` (everything else: what the project copied in)."""
    if _CACHES.match(path):
        return "cache"
    in_packages = "/site-packages/" in path or "/dist-packages/" in path
    dot = path.rfind(".")
    if not in_packages and dot > path.rfind("/") and path[dot:].lower() in _DATA_KINDS:
        return "data"
    if in_packages or _PYTHON_PREFIX.match(path):
        return "python"
    if _OS_PREFIX.match(path):
        return "os"
    return "code"


_DATA_KINDS = MODEL_EXTENSIONS | DATA_EXTENSIONS
_PYTHON_PREFIX = re.compile(r"^(?:/usr(?:/local)?/lib/python\d|/opt/(?:conda|venv|micromamba)/|(?:/[^/]+)*/\.?venv/|"
                            r"/root/\.local/|/home/[^/]+/\.local/|" + r"(?:/[^/]+)*/" + _CONDA_ROOT + r"/)")
_OS_PREFIX = re.compile(r"^/(?:usr|lib|lib32|lib64|libx32|bin|sbin|etc|var|opt/nvidia|boot|run|srv/\.|tmp)(?:/|$)")


def _composition(layer: Layer, final: dict[str, int]) -> dict[str, int]:
    """Bytes of the layer by kind; `hidden` for what a later layer overwrote or deleted."""
    out: dict[str, int] = {}
    index = layer.index
    for p, size in layer.files.items():
        if not size:
            continue
        kind = content_kind(p) if final.get(p) == index else "hidden"
        out[kind] = out.get(kind, 0) + size
    return out


def _dist_headers(metadata: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in metadata.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version") and key not in out:
            out[key] = value.strip()
    return out


def _distributions(scans: list[LayerScan], final_layer: dict[str, int],
                   final_size: dict[str, int]) -> list[Distribution]:
    """Installed Python distributions of the final image, with the bytes their RECORD lists and
    the final filesystem still holds, largest first."""
    found: dict[str, tuple[int, dict[str, bytes]]] = {}
    for i, scan in enumerate(scans):
        for d, parts in (scan.dist_info or {}).items():
            found[d] = (i, {**found.get(d, (i, {}))[1], **parts})
    out = []
    for d, (i, parts) in found.items():
        record = d + "/RECORD"
        if final_layer.get(record) is None and final_layer.get(d + "/METADATA") is None:
            continue  # deleted later
        headers = _dist_headers(parts.get("METADATA", b""))
        stem = d.rsplit("/", 1)[-1][: -len(".dist-info")]
        name, _, version = stem.partition("-")
        site = d.rsplit("/", 1)[0]
        size = files = 0
        for line in parts.get("RECORD", b"").decode("utf-8", "replace").splitlines():
            rel = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
            if not rel:
                continue
            p = posixpath.normpath(posixpath.join(site, rel))
            s = final_size.get(p)
            if s is not None:
                size += s
                files += 1
        out.append(Distribution(headers.get("Name") or name, headers.get("Version") or version, d,
                                final_layer.get(record, i), size, files))
    out.sort(key=lambda x: (-x.size, x.name.lower()))
    return out


def analyze_tarball(source, *, ref: str | None = None, data_threshold: int = DEFAULT_DATA_THRESHOLD,
                    largest: int = 20) -> ImageReport:
    """Analyses an image tarball: a path, or a binary file object read once from its current
    position (a pipe from `docker save` works). `ref` picks the image when the tarball has several.
    Raises ImageError when the file is not an image tarball or is truncated or corrupt."""
    if isinstance(source, (str, os.PathLike)):
        try:
            f = open(Path(source), "rb", buffering=0)
        except OSError as e:
            raise ImageError(f"cannot open the image tarball {source}: {e.strerror or e}") from None
        with f:
            return analyze_tarball(f, ref=ref, data_threshold=data_threshold, largest=largest)
    outer = Source.from_file(source)
    try:
        head = outer.peek(4)
        src = decompressing(outer) if head[:2] == GZIP_MAGIC or head[:4] == ZSTD_MAGIC else outer
        tb = _stream(src)
    except ImageError:
        raise
    except OSError as e:
        raise ImageError(f"cannot read the image tarball: {e}") from None
    finally:
        outer.close()
    if not tb.scans and not tb.jsons:
        raise ImageError("not an image tarball: no layers and no manifest in it")
    return build_report(tb, ref=ref, data_threshold=data_threshold, largest=largest)


def build_report(tb: _Tarball, *, ref: str | None = None, data_threshold: int = DEFAULT_DATA_THRESHOLD,
                 largest: int = 20) -> ImageReport:
    fmt, config_name, layer_refs, tags = _layout(tb, ref)
    config_raw = tb.jsons.get(config_name)
    if config_raw is None:
        raise ImageError(f"the image tarball has no image config ({config_name})")
    try:
        config = json.loads(config_raw)
    except ValueError as e:
        raise ImageError(f"the image config ({config_name}) is not valid JSON: {e}") from None
    image_id = "sha256:" + hashlib.sha256(config_raw).hexdigest()

    scans: list[LayerScan] = []
    for name, _ in layer_refs:
        scan = tb.scans.get(_resolve(tb, name))
        if scan is None:
            raise ImageError(f"the image tarball lacks the layer {name} its manifest lists")
        scans.append(scan)

    diff_ids = list((config.get("rootfs") or {}).get("diff_ids") or [])
    history = []
    layer_idx = 0
    for h in config.get("history") or []:
        empty = bool(h.get("empty_layer"))
        entry = HistoryEntry(h.get("created_by") or "", empty, h.get("created"), h.get("comment"))
        if not empty and layer_idx < len(scans):
            entry.layer = layer_idx
            layer_idx += 1
        history.append(entry)
    by_layer = {h.layer: h for h in history if h.layer is not None}

    layers = []
    for i, ((name, digest), scan) in enumerate(zip(layer_refs, scans)):
        h = by_layer.get(i)
        layers.append(Layer(
            index=i, digest=digest, diff_id=diff_ids[i] if i < len(diff_ids) else None, size=scan.size,
            symlink_bytes=scan.symlink_bytes, files=scan.files, dirs=scan.dirs, whiteouts=scan.whiteouts,
            opaque_dirs=scan.opaque, created_by=h.created_by if h else None, created=h.created if h else None,
            comment=h.comment if h else None, compression=scan.compression))

    res = _compute(scans)
    eff, final, waste_acc = res["eff"], res["fs"], res["waste"]
    for layer, w in zip(layers, res["wasted_created"]):
        layer.wasted_created = w
        layer.composition = _composition(layer, final.layer)

    single_total = sum(eff.single.values())
    total_min = total_cum = single_total
    wasted = 0
    inefficient = []
    for p, (cum, mn, count, seen_in) in eff.multi.items():
        total_cum += cum
        total_min += mn
        if count >= 2:
            wasted += cum
            inefficient.append(InefficientPath(p, count, cum, seen_in, seen_in[0]))
    inefficient.sort(key=lambda x: (-x.wasted_bytes, x.path))
    efficiency = total_min / total_cum if total_cum else 1.0

    waste = [Waste(a, r, how, b, nf, sorted(((p, s) for s, p in top), key=lambda x: (-x[1], x[0])))
             for (a, r, how), (b, nf, top) in waste_acc.groups.items()]
    waste.sort(key=lambda w: (-w.bytes, w.added_in, w.removed_in))

    final_size = sum(final.size.values())  # directories are 0
    final_files = len(final.size) - len(final.dirs)
    top = heapq.nlargest(largest, final.size.items(), key=operator.itemgetter(1))
    largest_files = [FileEntry(p, size, final.layer[p]) for p, size in top if size]  # dirs are 0

    total = sum(s.size for s in scans)
    return ImageReport(
        format=fmt, image_id=image_id, repo_tags=tags, config=_config(config), history=history, layers=layers,
        total_size=total, docker_size=total + sum(s.symlink_bytes for s in scans),
        user_size=total - (scans[0].size if scans else 0), efficiency=efficiency, wasted_bytes=wasted,
        inefficient=inefficient, waste=waste, final_size=final_size, final_files=final_files,
        largest_files=largest_files, caches=_caches(layers, final.layer),
        data_files=_data_files(layers, final.layer, data_threshold), data_threshold=data_threshold,
        distributions=_distributions(scans, final.layer, final.size))
