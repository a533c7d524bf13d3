#!/usr/bin/env python3
"""Python baseline for the PubMed parse benchmark (`pubmed-bench`).

Usage: pubmed_parser_baseline.py FILE.xml.gz

Parses FILE with `pubmed_parser.parse_medline_xml` (default options), iterating
every record, and prints one JSON line:

    {"records": N, "seconds": s, "peak_rss_kb": k}

`seconds` covers only the parse (import time excluded); `peak_rss_kb` is the
process's peak resident set size (getrusage RUSAGE_SELF ru_maxrss, which Linux
reports in KiB). Exit status 3 means pubmed_parser is not importable.
"""

import json
import resource
import sys
import time


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: pubmed_parser_baseline.py FILE.xml.gz", file=sys.stderr)
        return 2
    try:
        import pubmed_parser
    except ImportError as err:
        print(
            f"pubmed_parser is not importable ({err}); "
            "install it with: pip install -r bench/requirements.txt",
            file=sys.stderr,
        )
        return 3

    path = sys.argv[1]
    records = 0
    touched = 0
    start = time.perf_counter()
    for article in pubmed_parser.parse_medline_xml(path):
        records += 1
        # Touch each record minimally, like the Rust rows do.
        touched += len(article.get("authors") or "")
    seconds = time.perf_counter() - start
    peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "records": records,
                "seconds": seconds,
                "peak_rss_kb": peak_rss_kb,
                "touched": touched,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
