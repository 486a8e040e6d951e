"""Output formatters, one module per format; each is a pure function of the Report."""
