"""考评 pages."""
