"""The royalties API: the cinema staff's (`staff`) and the rights holders' own read-only
space (`holder`)."""
