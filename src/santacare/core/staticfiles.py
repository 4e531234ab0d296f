"""Hashed static files for production: whitenoise's compressed manifest storage, whose names
change with the content, so browsers may cache them for a year.

Until `santacare collectstatic` has written the manifest (development, `santacare up`, the tests)
the plain names are used, instead of every page failing on a missing manifest entry; the
deployment runs collectstatic before the web starts (docs/OPERATIONS.md)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return str(super().stored_name(name))
