"""述职评议 + 民主测评 (review sessions with anonymous ballots), unit assessment (考核评价) and
typical examples (正反面典型). Issue 5.

STATUS (issue 5 resolved)
- Review sessions, codes, phone ballots with receipts, sealed pending ballots flushed shuffled at close
  (docs/BALLOT_ANONYMITY.md), paper double entry, tally, result exports; unit assessment with published rules
  (scoring.py), typical examples; API; demo; bench/ballot_burst.py.
- Open: ballot burst p95 (2.4 s at 50 clients on 2 cores) against issue 8's 300 ms target; a search box for
  the subject person picker; link a 述职评议会 to meetings once issue 6 exists.
"""
