"""The names of the files mt writes, and the labels on demo output.

A leaf module: input readers use it to skip mt's own outputs, writers to name them.
"""

# Files mt itself writes; skipped when walking a folder so outputs are never re-read.
OUTPUT_SUFFIXES = (".en.txt", ".en.jsonl", ".en.csv", ".en.parquet", ".brief.md", ".brief.json")
SUMMARY_SUFFIX = ".summary.en.txt"
DEMO_LABEL = "[DEMO OUTPUT: untrained test model, not a translation]"
SUMMARY_DEMO_LABEL = "[DEMO OUTPUT: untrained test model, not a summary]"
