"""A sum score (AUDIT, AUDIT-C, DUDIT, an imported total) as a block of the signed PDF: the
sum with what it suggests, what it does not mean, and the published instrument it rests on."""
from ..domain.sum_scores import SumScore


def sum_block(score: SumScore, source: dict | None) -> dict:
    rows = [{"label": score.label, "answer": score.text}]
    if score.note:
        rows.append({"label": "Merk", "answer": score.note})
    if source:
        rows.append({"label": "Grunnlag", "answer": f"{source['text']}. {source['reference']}"})
    return {"title": score.label, "rows": rows}
