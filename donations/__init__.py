"""What comes in: donors and their gifts, handicraft makers and their consigned goods."""
