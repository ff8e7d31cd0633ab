"""The catalogue revision: a counter the database bumps in the same transaction as any
change to what cached pages and the workers' memos were computed from (`counter`).

The lowest floor of the apps: it names no app. Each app registers the models whose changes
bump it in its own `AppConfig.ready()` (`counter.bumped_by`)."""
