"""What each merchant is owed: the merchant sub-ledger of merchant_payables, its balance and statement."""
