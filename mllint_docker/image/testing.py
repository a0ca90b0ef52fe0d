"""Writes image tarballs from layer descriptions, for tests and benchmarks.

A layer is a list of entries:
    ("dir", path)                     ("file", path, size_or_bytes)   (an int: that many zero bytes)
    ("symlink", path, target)         ("hardlink", path, target)
    ("whiteout", path)                ("opaque", dir)
Layers are streamed to the tarball: a multi-gigabyte image is written without holding it in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterable, Sequence

_ZEROS = bytes(1 << 20)


def _headers(entries: Iterable[tuple]) -> list[tuple[bytes, int, bytes | None]]:
    out = []
    for e in entries:
        kind, path = e[0], e[1].lstrip("/")
        ti = tarfile.TarInfo(path)
        ti.mtime = 0
        ti.mode = 0o644
        data = None
        if kind == "dir":
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
        elif kind == "file":
            if isinstance(e[2], (bytes, bytearray)):
                data = bytes(e[2])
                ti.size = len(data)
            else:
                ti.size = int(e[2])
        elif kind == "symlink":
            ti.type, ti.linkname = tarfile.SYMTYPE, e[2]
        elif kind == "hardlink":
            ti.type, ti.linkname = tarfile.LNKTYPE, e[2].lstrip("/")
        elif kind == "whiteout":
            d, _, base = path.rpartition("/")
            ti.name = (d + "/" if d else "") + ".wh." + base
        elif kind == "opaque":
            ti.name = path.rstrip("/") + "/.wh..wh..opq"
        else:
            raise ValueError(f"unknown entry kind {kind!r}")
        out.append((ti.tobuf(format=tarfile.PAX_FORMAT), ti.size, data))
    return out


def _layer_size(headers) -> int:
    return sum(len(h) + ((size + 511) & ~511) for h, size, _ in headers) + 1024


def _write_layer(out, headers) -> None:
    for h, size, data in headers:
        out.write(h)
        if data is not None:
            out.write(data)
        else:
            left = size
            while left > 0:
                n = min(left, len(_ZEROS))
                out.write(_ZEROS[:n])
                left -= n
        pad = (-size) % 512
        if pad:
            out.write(_ZEROS[:pad])
    out.write(_ZEROS[:1024])


def _layer_bytes(headers) -> bytes:
    buf = io.BytesIO()
    _write_layer(buf, headers)
    return buf.getvalue()


def _header(f, name: str, size: int) -> None:
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = size, 0, 0o644
    f.write(ti.tobuf(format=tarfile.PAX_FORMAT))


def _add(f, name: str, data: bytes) -> None:
    _header(f, name, len(data))
    f.write(data)
    f.write(_ZEROS[:(-len(data)) % 512])


def write_image_tarball(dest: str | os.PathLike, layers: Sequence[Sequence[tuple]], *, fmt: str = "docker-save",
                        history: Sequence[str] | None = None, env: Sequence[str] = (), tag: str = "synthetic:latest",
                        gzip_layers: bool = False) -> None:
    """fmt: "docker-save" (legacy `<id>/layer.tar`), "docker-save-oci" (Docker 25+) or "oci-layout"
    (`index.json` only; gzip_layers compresses the layer blobs). Layers come before the manifest.
    `history` gives each layer's `created_by`."""
    all_headers = [_headers(entries) for entries in layers]
    layer_names, diff_ids, descriptors = [], [], []
    with open(dest, "wb", buffering=1 << 20) as tar:
        for i, headers in enumerate(all_headers):
            if fmt == "docker-save":
                fake = hashlib.sha256(f"layer{i}".encode()).hexdigest()
                name = f"{fake}/layer.tar"
                diff_ids.append("sha256:" + fake)
                size = _layer_size(headers)
                _header(tar, name, size)
                _write_layer(tar, headers)
                tar.write(_ZEROS[:(-size) % 512])
            else:
                raw = _layer_bytes(headers)
                diff = "sha256:" + hashlib.sha256(raw).hexdigest()
                blob = gzip.compress(raw, mtime=0) if gzip_layers else raw
                digest = "sha256:" + hashlib.sha256(blob).hexdigest()
                name = "blobs/sha256/" + digest.split(":")[1]
                _add(tar, name, blob)
                diff_ids.append(diff)
                media = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gzip_layers else "")
                descriptors.append({"mediaType": media, "digest": digest, "size": len(blob)})
            layer_names.append(name)
        hist = [{"created_by": (history[i] if history and i < len(history) else f"layer {i}")}
                for i in range(len(layers))]
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": list(env)},
                             "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": hist}).encode()
        config_digest = hashlib.sha256(config).hexdigest()
        if fmt == "docker-save":
            config_name = config_digest + ".json"
            _add(tar, config_name, config)
        else:
            config_name = "blobs/sha256/" + config_digest
            _add(tar, config_name, config)
            manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                   "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                              "digest": "sha256:" + config_digest, "size": len(config)},
                                   "layers": descriptors}).encode()
            mdigest = hashlib.sha256(manifest).hexdigest()
            _add(tar, "blobs/sha256/" + mdigest, manifest)
            index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                    "digest": "sha256:" + mdigest, "size": len(manifest),
                                    "annotations": {"io.containerd.image.name": tag}}]}
            _add(tar, "index.json", json.dumps(index).encode())
            _add(tar, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        if fmt != "oci-layout":
            _add(tar, "manifest.json", json.dumps([{"Config": config_name, "RepoTags": [tag],
                                                    "Layers": layer_names}]).encode())
        tar.write(_ZEROS[:1024])
