"""Grader evaluation runs: statistics, perturbations, injections, reports and run comparison.

Pure functions over plain data; heavy libraries (numpy, scipy, scikit-learn, krippendorff,
matplotlib) are imported inside functions so that importing this package stays fast.

Flow: the runner grades items and writes `records.ItemRecord`s; `records.results_from_records`
(re-exported by `report`) computes the results dict; `report.write_report` writes results.json,
items.jsonl, report.md and report.html; `report.check_thresholds` gates CI; `compare.compare`
sets two runs side by side with paired bootstrap intervals.
"""
