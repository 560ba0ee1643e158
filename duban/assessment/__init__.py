"""述职评议 + 民主测评 (review sessions with anonymous ballots), unit assessment (考核评价) and
typical examples (正反面典型). Issue 5.

STATUS (session 1)
- Review sessions: models, configuration, codes, voting with receipts, anonymity pool, paper double
  entry, tally, close/reopen.
- Next: unit assessment, typical examples, API, demo data, browser test of seed 004.
"""
