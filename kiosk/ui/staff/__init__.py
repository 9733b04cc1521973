"""The staff console: today's CR利用者リスト, review, manual linking, accounts and the audit trail."""
