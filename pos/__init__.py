"""What goes out: the till and its sales, tenders and the fund split, and every report over sales."""
