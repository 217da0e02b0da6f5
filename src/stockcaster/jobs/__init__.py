"""The jobs a command runs: each one short orchestration of the layers below, called with a
typed request that `requests.py` builds from a command's options (`choices.py` lists what
each option may be)."""
