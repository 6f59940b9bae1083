"""Scoring for the infant-cue salience battery. Never imports PsychoPy."""
