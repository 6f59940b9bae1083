"""Text of the HTML report: style sheet, methods paragraph and references.

>>> "Zvielli" in " ".join(REFERENCES)
True
"""

from __future__ import annotations

import html

CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1150px;
margin:24px auto;padding:0 18px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:4px}h2{border-bottom:1px solid #ddd;padding-bottom:3px;
margin-top:34px}img{max-width:100%}.muted{color:#777;font-size:.9em}
.warn{background:#fff3cd;padding:6px 10px;border-radius:4px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}.card{background:#f4f6f8;
border-radius:6px;padding:8px 14px;min-width:110px}.card b{display:block;font-size:1.35em}
.card span{color:#666;font-size:.85em}table.tbl{border-collapse:collapse;font-size:.78em;
margin:6px 0}table.tbl th,table.tbl td{border-bottom:1px solid #e3e3e3;padding:3px 7px;
text-align:right}table.tbl th{background:#f4f6f8}details{margin:8px 0}
summary{cursor:pointer;color:#2166ac}.refs li{font-size:.88em;margin-bottom:3px}
"""

REFERENCES = [
    "Garland, E. L., & Howard, M. O. (2013). Mindfulness-Oriented Recovery Enhancement reduces "
    "pain attentional bias in chronic pain patients. Psychotherapy and Psychosomatics, 82(5), "
    "311-318.",
    "Garland, E. L., & Howard, M. O. (2014). Opioid attentional bias and cue-elicited craving "
    "predict future risk of prescription opioid misuse among chronic pain patients. Drug and "
    "Alcohol Dependence, 144, 283-287.",
    "Iacoviello, B. M., et al. (2014). Attention bias variability and symptoms of posttraumatic "
    "stress disorder. Journal of Traumatic Stress, 27, 232-239.",
    "Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to "
    "defining meaningful change in psychotherapy research. Journal of Consulting and Clinical "
    "Psychology, 59, 12-19.",
    "Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative "
    "science: a practical primer for t-tests and ANOVAs. Frontiers in Psychology, 4, 863.",
    "Leys, C., Ley, C., Klein, O., Bernard, P., & Licata, L. (2013). Detecting outliers: Do not "
    "use standard deviation around the mean, use absolute deviation around the median. Journal "
    "of Experimental Social Psychology, 49, 764-766.",
    "Parsons, S. (2021). splithalf: robust estimates of split half reliability. Journal of Open "
    "Source Software, 6(60), 3041.",
    "Parsons, S., Kruijt, A.-W., & Fox, E. (2019). Psychological science needs a standard "
    "practice of reporting the reliability of cognitive-behavioral measurements. Advances in "
    "Methods and Practices in Psychological Science, 2(4), 378-395.",
    "Reese, S. E., Conradt, E., Riquino, M. R., & Garland, E. L. (2021). An integrated "
    "mechanistic model of Mindfulness-Oriented Recovery Enhancement for opioid-exposed "
    "mother-infant dyads. Frontiers in Psychology, 12, 688359.",
    "Zvielli, A., Bernstein, A., & Koster, E. H. W. (2015). Temporal dynamics of attentional "
    "bias. Clinical Psychological Science, 3(5), 772-788.",
]


def _n(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def methods_paragraph(prov: dict) -> str:
    """The methods paragraph, filled in from ``provenance.json`` (settings actually used)."""
    s = prov["Settings"]
    dp, rel, ch = s["dotprobe"], s["reliability"], s["change"]
    sw = prov["Software"]
    outlier = {
        "mad": (f"within participant × session × condition, RTs more than {_n(dp['outlier_k'])} "
                "median absolute deviations from the median were dropped (MAD = 1.4826 × "
                "median |RT − median|; Leys et al., 2013)"),
        "sd": (f"within participant × session × condition, RTs more than {_n(dp['outlier_k'])} "
               "SD from the mean were dropped"),
        "none": "no relative outlier rule was applied",
    }[dp["outlier_method"]]
    tl = ("the nearest-trial method (each valid trial paired with the nearest valid trial of "
          f"the other congruency within {dp['tlbs_window']} positions, ties to the earlier "
          "trial)" if dp["tlbs_method"] == "nearest" else
          "inverse-square distance weighting of all opposite-congruency trials (as in itrak)")
    denom = "the number of TL-BS values" if dp["tlbs_variability_denominator"] == "n" \
        else "the number of successive pairs (n − 1, as in itrak)"
    text = (
        f"Dot-probe data were scored with icb {sw.get('icb', '?')} (Python {sw.get('python')}, "
        f"numpy {sw.get('numpy')}, pandas {sw.get('pandas')}, scipy {sw.get('scipy')}, "
        f"statsmodels {sw.get('statsmodels')}). Only {dp['test_phase']} trials were used; "
        f"'{dp['filler_trial_type']}' trials were left out of bias scores. Participant-sessions "
        f"with accuracy below {_n(dp['accuracy_min'])} over all test trials were excluded. "
        + ("Error and no-response trials were dropped, " if dp["drop_errors"] else
           "No-response trials were dropped, ")
        + f"as were RTs below {_n(dp['rt_min_ms'])} ms or above {_n(dp['rt_max_ms'])} ms; "
        f"{outlier}. A condition (pair type × cue duration) needed at least "
        f"{dp['min_trials_per_cell']} valid congruent and {dp['min_trials_per_cell']} valid "
        "incongruent trials. Bias was the mean RT on incongruent minus congruent trials. "
        f"Trial-level bias scores (Zvielli et al., 2015) used {tl}; TL-BS variability was the "
        f"summed absolute change between successive TL-BS divided by {denom}. Attention-bias "
        f"variability was the SD of bias in bins of {dp['abv_bin_size']} consecutive trials "
        "divided by the mean RT (Iacoviello et al., 2014). Split-half reliability was estimated "
        f"from {rel['n_splits']} random splits (seed {rel['seed']}), stratified by congruency, "
        "with the Spearman–Brown correction, reporting the mean and the 2.5th and 97.5th "
        "percentiles over splits (Parsons, Kruijt & Fox, 2019; Parsons, 2021); rating salience "
        "contrasts were split by item in the same way. Pre-to-post change was tested with "
        "paired t-tests with d_z, d_av and Hedges-corrected g_av (Lakens, 2013), per group of "
        "participants.tsv and overall; reliable change used the RCI with the pre-session "
        f"split-half reliability (|RCI| > {_n(ch['rci_criterion'])}; Jacobson & Truax, 1991). "
        "Where two groups existed, trial-level RTs were modelled per condition with a linear "
        "mixed model (congruent × session × group; random intercept and congruency slope per "
        "participant). The battery studies infant-cue salience before and after "
        "Mindfulness-Oriented Recovery Enhancement (Garland & Howard, 2013, 2014; Reese et al., "
        "2021)."
    )
    return html.escape(text)
