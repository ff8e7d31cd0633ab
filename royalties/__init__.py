"""What rights holders are owed: payment terms on contracts, periodic statements of the
usage of their films and the amounts the terms give, and the rights holders' own
read-only space."""
