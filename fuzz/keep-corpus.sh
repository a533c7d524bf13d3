#!/usr/bin/env bash
# Splits each target's grown corpus: the KEEP smallest inputs (default 150)
# stay in fuzz/corpus/<target> for git and the CI replay, beside the seeds
# already tracked; the rest move to fuzz/corpus-full/<target> (ignored by
# git), which run-all.sh keeps fuzzing from.
set -euo pipefail
cd "$(dirname "$0")/.."
keep="${1:-150}"
for dir in fuzz/corpus/*/; do
    target="$(basename "$dir")"
    full="fuzz/corpus-full/$target"
    mkdir -p "$full"
    # Tracked seeds stay; every other input is a candidate.
    mapfile -t untracked < <(git ls-files --others --exclude-standard -- "$dir")
    [ "${#untracked[@]}" -eq 0 ] && continue
    mapfile -t kept < <(ls -1S -r "${untracked[@]}" | head -n "$keep")
    for file in "${untracked[@]}"; do
        if ! printf '%s\n' "${kept[@]}" | grep -qxF "$file"; then
            mv "$file" "$full/"
        fi
    done
    echo "$target: kept ${#kept[@]} of ${#untracked[@]} new inputs ($(du -sh --apparent-size "$dir" | cut -f1) in fuzz/corpus/$target)"
done
