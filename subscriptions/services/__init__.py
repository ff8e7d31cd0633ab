"""Operations of the subscriptions app, one module per seam: subscriptions (quote,
payment, activation, renewal, expiry), screenings (bookings and the credit ledger),
patrons (registration, login, data export and erasure), billing (invoices, payments)."""
