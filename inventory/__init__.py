"""What is on the shelves: categories, items and their barcodes, and the stock movements that are the only way stock changes."""
