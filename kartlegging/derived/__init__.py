"""Values stored for speed, each with one writer that every path uses and a check that
recomputes it from the rows it is derived from.

- Person.due_order: the newest signed kartlegging's signed_at (person_orders.refresh)
- Person.quality_order: the newest completed livskvalitet's score (person_orders.refresh)
- PersonNameToken rows: the person's name and team (models, the Person events)
- Assessment.score: a completed rating's answers (livskvalitet.ratings.complete)
- Assessment.ip_outcome, ip_decision, ip_answer: a signed kartlegging's answers as of its
  signing day (domain.rules.frozen_ip, called by journal.signing.sign)

The Assessment events in models call person_orders.refresh for every change that can move a
person's orders (signing, correction, a rating completed or deleted, an assessment moved to
another person); bulk loads that go around the ORM call it themselves. `flask derived check`
(check.find) reports drift and `--repair` rewrites the drifted values with the same writers.
"""
