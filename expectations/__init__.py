"""Data checks: do the ledgers agree with each other and with the policy (spec/checks.md)?"""
