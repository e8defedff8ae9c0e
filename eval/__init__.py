"""claimcheck's quality evaluation on public labelled data (read from ../shared/eval, never copied here).

Run `python -m eval.run`; see eval/README.md for what each figure means.
"""
