"""What goes out: the till and its sales, tenders and the fund split, every report over sales, and the paper the shop prints (paper.py)."""
