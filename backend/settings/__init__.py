"""Settings split by concern: `base` (everything, read from the environment), `local`
(the embedded default of `make run`), `test` and `production` (hardened, fails loudly)."""
