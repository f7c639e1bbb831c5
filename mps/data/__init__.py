"""Readers for every input: validate, tidy, return typed frames and a validation report."""
