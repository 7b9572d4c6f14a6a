"""What a buyer comes back for: the wishlist, back-in-stock alerts, recently viewed products."""
