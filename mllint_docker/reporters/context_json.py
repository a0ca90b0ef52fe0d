"""`mllint context --format json`, written file by file: the same bytes as `json.dumps(listing,
indent=2)` followed by a newline, without building the listing (or its text) in memory first."""

from __future__ import annotations

import json


def write_context_json(contexts, out) -> None:
    """`contexts`: objects with `dockerfile`, `context`, `ignore_file`, `total_size`, `notes` and
    `files()` yielding (path, size, copied-by lines)."""
    write = out.write
    write('{\n  "contexts": [')
    first = True
    notes: list[str] = []
    for c in contexts:
        notes.extend(getattr(c, "notes", ()))
        write(("\n" if first else ",\n") + "    {\n")
        first = False
        for key in ("dockerfile", "context", "ignore_file"):
            write(f'      "{key}": {json.dumps(getattr(c, key))},\n')
        write('      "files": [')
        empty = True
        for path, size, lines in c.files():
            entry = json.dumps({"path": path, "size": size, "copied_by": lines}, indent=2)
            write(("\n" if empty else ",\n") + "        " + entry.replace("\n", "\n        "))
            empty = False
        write("]" if empty else "\n      ]")
        write(f',\n      "total_size": {json.dumps(c.total_size)}\n    }}')
    write("]" if first else "\n  ]")
    if notes:  # `"notes"` follows `"contexts"`, as in the whole listing
        write(',\n  "notes": ' + json.dumps(notes, indent=2).replace("\n", "\n  "))
    write("\n}\n")
