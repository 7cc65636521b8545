"""The `optimize` command line (thin Click layer over `optimizer`)."""
