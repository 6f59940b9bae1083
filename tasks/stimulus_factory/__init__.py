"""Stimuli: the generated default set, a lab's imported set, and their manifest.

Tasks use :mod:`tasks.stimulus_factory.manifest` (``load_manifest``, ``select``,
``stimulus_path``, ``manifest_sha256``).  Nothing here imports PsychoPy.
"""
