"""Outside systems, one module each: the rest of the code talks to them only through here
(`stripe` is imported nowhere else)."""
