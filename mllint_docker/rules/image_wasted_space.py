from mllint_docker.units import format_size
from mllint_docker.rules import Issue, rule


@rule("MLD502", "image-wasted-space", "warning", scope="image",
      summary="Layers carry bytes that later layers overwrite or delete (dive's wasted space) above `wasted-space-share`")
def check(target, project):
    report = target.report
    share = report.wasted_user_percent
    if share <= project.config.wasted_space_share or not report.waste:
        return
    for w in report.waste[:5]:
        if w.bytes < report.wasted_bytes * 0.05:
            break
        later = target.layer_label(w.removed_in)
        what = "deleted" if w.how == "deleted" else "overwritten"
        example = ", ".join(p for p, _ in w.largest[:2])
        yield Issue(target.layer_line(w.added_in),
                    f"{format_size(w.bytes)} in {w.files} file{'s' if w.files != 1 else ''} added here ({example}) "
                    f"{'are' if w.files != 1 else 'is'} {what} by {later}: the bytes stay in the image "
                    f"(wasted {format_size(report.wasted_bytes)}, {share:.0%} of the layers above the base; "
                    f"efficiency {report.efficiency:.1%} as dive counts)",
                    fix="create, use and delete temporary files in the same RUN, or build them in another stage "
                        "and COPY --from only the result")
