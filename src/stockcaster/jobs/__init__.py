"""The jobs a command runs: each one short orchestration of the layers below."""
