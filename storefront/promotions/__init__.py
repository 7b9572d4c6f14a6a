"""Promotions: vouchers (codes or automatic) and sale prices.

models    Voucher, VoucherProduct (scope "some products"), VoucherUse (one per order and voucher)
pricing   a product's price now (its sale price while the sale runs)
rules     which vouchers apply to a cart, and why a code does not (pure, no writes)
allocate  a discount split across lines in whole đồng (largest remainder, ties by line id)
services  applying a code to a cart, taking and releasing a use, creating and pausing vouchers
"""
