"""Operations of this service (filled in by its issue)."""
