"""Text of the HTML report: the methods paragraph and the references (plain text; the
template escapes it).

>>> "Zvielli" in " ".join(REFERENCES)
True
"""

from __future__ import annotations

REFERENCES = sorted([
    "Garland, E. L., & Howard, M. O. (2013). Mindfulness-Oriented Recovery Enhancement reduces "
    "pain attentional bias in chronic pain patients. Psychotherapy and Psychosomatics, 82(5), "
    "311-318.",
    "Garland, E. L., & Howard, M. O. (2014). Opioid attentional bias and cue-elicited craving "
    "predict future risk of prescription opioid misuse among chronic pain patients. Drug and "
    "Alcohol Dependence, 144, 283-287.",
    "Iacoviello, B. M., et al. (2014). Attention bias variability and symptoms of posttraumatic "
    "stress disorder. Journal of Traumatic Stress, 27, 232-239.",
    "Gustafson, G. E., & Green, J. A. (1989). On the importance of fundamental frequency and "
    "other acoustic features in cry perception and infant development. Child Development, "
    "60, 772-780.",
    "Aharon, I., Etcoff, N., Ariely, D., Chabris, C. F., O'Connor, E., & Breiter, H. C. "
    "(2001). Beautiful faces have variable reward value: fMRI and behavioral evidence. "
    "Neuron, 32, 537-551.",
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
])


def _n(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def methods_paragraph(prov: dict, scorer_sentences: list[str]) -> str:
    """The methods paragraph from ``provenance.json`` (settings actually used) and the
    sentences of each scorer whose labels were scored.

    >>> prov = {"Settings": {"reliability": {"n_splits": 50, "seed": 1},
    ...         "change": {"rci_criterion": 1.96}}, "Software": {"icb": "0"}}
    >>> methods_paragraph(prov, ["X."]).split(". ")[1]
    'X'
    """
    s = prov["Settings"]
    rel, ch = s["reliability"], s["change"]
    sw = prov["Software"]
    return " ".join([
        f"Data were scored with icb {sw.get('icb', '?')} (Python {sw.get('python')}, numpy "
        f"{sw.get('numpy')}, pandas {sw.get('pandas')}, scipy {sw.get('scipy')}, statsmodels "
        f"{sw.get('statsmodels')}).",
        *scorer_sentences,
        f"Split-half reliability was estimated from {rel['n_splits']} random splits (seed "
        f"{rel['seed']}) with the Spearman–Brown correction, reporting the mean and the 2.5th "
        "and 97.5th percentiles over splits (Parsons, Kruijt & Fox, 2019; Parsons, 2021). "
        "Pre-to-post change was tested with paired t-tests with d_z, d_av and "
        "Hedges-corrected g_av (Lakens, 2013), per group of participants.tsv and overall; "
        "reliable change used the RCI with the pre-session split-half reliability (|RCI| > "
        f"{_n(ch['rci_criterion'])}; Jacobson & Truax, 1991). The battery studies infant-cue "
        "salience before and after Mindfulness-Oriented Recovery Enhancement (Garland & "
        "Howard, 2013, 2014; Reese et al., 2021)."])
