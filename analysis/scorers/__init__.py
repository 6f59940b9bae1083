"""One module per scorer; each defines ``SCORER = analysis.scorer.Scorer(...)``.

The registry (:func:`analysis.scorer.registry`) finds them here: a paradigm brings its
scorer by adding a module to this folder (see docs/analysis.md).
"""
