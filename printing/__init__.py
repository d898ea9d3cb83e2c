"""Documents to ESC/POS bytes, and the printers that receive them: knows nothing of the shop's database."""
