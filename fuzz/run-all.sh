#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 600), one core,
# then minimises its corpus; libFuzzer's final statistics go to fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
mkdir -p fuzz/logs
cargo +nightly fuzz build -s none -O
for target in pubmed europepmc orcid oaipmh gtr nihr roster query; do
    case "$target" in
        query) max_len=1100 ;;
        roster) max_len=16384 ;;
        *) max_len=65536 ;;
    esac
    mkdir -p "fuzz/corpus-full/$target"
    # New inputs go to the first folder (ignored by git); keep-corpus.sh picks what to commit.
    cargo +nightly fuzz run "$target" "fuzz/corpus-full/$target" "fuzz/corpus/$target" -s none -O -- \
        -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1 > "fuzz/logs/$target.log" 2>&1 || echo "$target: libFuzzer stopped (see fuzz/logs/$target.log)"
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|cov:|ft:" \
        "fuzz/logs/$target.log" | tail -4
    cargo +nightly fuzz cmin "$target" "fuzz/corpus-full/$target" -s none -O -- -max_len="$max_len" > "fuzz/logs/$target.cmin.log" 2>&1 || true
done
