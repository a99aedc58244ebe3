"""Verification: does what landed match the plan?"""
