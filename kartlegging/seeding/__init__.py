"""Making data: the demo team (`flask demo`), the bench's large teams and the tests' factories
build their persons, answers, signings and ratings from here, and every value stored for speed
comes from the writer the app itself uses (the list is in derived/__init__.py).

- answers.py   filled answers (every shown item answered) and synthetic fødselsnumre
- stand_in.py  the columns signing and completing a rating write, for records made without
               the signed PDF (tests, bench)
- bulk.py      rows in bulk for teams of 1,000 to 100,000 persons (the bench)
- demo.py      the demo persons, signed back in time through journal.signing.sign
"""
