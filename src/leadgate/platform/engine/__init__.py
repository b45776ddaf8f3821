"""The record engine every capability runs on: the pipeline and its unit of work, storage and
schema, metadata, rows, queries, values, entities, coded errors and their texts.

The engine knows how to run a message; what a message means is the capabilities' business.
"""
